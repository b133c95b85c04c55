// The last client-level error librdkafka reported for one producer or consumer (broker down,
// authentication refused, TLS handshake failed, ...), kept so that a put or batch that times out can
// say why instead of only "no acknowledgement". librdkafka reports these through its error callback,
// served by rd_kafka_poll / rd_kafka_flush on the same handle. With the callback set librdkafka no
// longer logs them itself, so they are logged here (warning, with the component's name). The
// client's own log lines go through sluice's log too, under the component's name and at the
// matching level, instead of librdkafka's "%3|...|FAIL|..." lines on stderr. A FAIL line says what
// the error callback reports when it is served (same text, as _TRANSPORT / _AUTHENTICATION), so it
// is logged at debug rather than twice.
#pragma once
#include <librdkafka/rdkafka.h>

#include <mutex>
#include <string>

namespace sluice {

class KafkaClientError {
 public:
  // Installs the error and log callbacks on conf (before rd_kafka_new; uses the conf's opaque pointer).
  void attach(rd_kafka_conf_t* conf, std::string component);
  // " (last client error: <error name>: <reason>)" of the latest one, or "" when none was reported:
  // to append to a failure message.
  std::string suffix() const;

 private:
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void on_log(const rd_kafka_t* rk, int level, const char* facility, const char* message);
  std::string component_;
  mutable std::mutex mu_;
  std::string last_;
};

}  // namespace sluice
