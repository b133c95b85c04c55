// The last client-level error librdkafka reported for one producer or consumer (broker down,
// authentication refused, TLS handshake failed, ...), kept so that a put or batch that times out can
// say why instead of only "no acknowledgement". librdkafka reports these through its error callback,
// served by rd_kafka_poll / rd_kafka_flush on the same handle. With the callback set librdkafka no
// longer logs them itself, so they are logged here (warning, with the component's name).
#pragma once
#include <librdkafka/rdkafka.h>

#include <mutex>
#include <string>

namespace sluice {

class KafkaClientError {
 public:
  // Installs the error callback on conf (before rd_kafka_new; uses the conf's opaque pointer).
  void attach(rd_kafka_conf_t* conf, std::string component);
  // " (last client error: <error name>: <reason>)" of the latest one, or "" when none was reported:
  // to append to a failure message.
  std::string suffix() const;

 private:
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  std::string component_;
  mutable std::mutex mu_;
  std::string last_;
};

}  // namespace sluice
