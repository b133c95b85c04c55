#include "channels/kafka_client_error.hpp"

#include <string_view>

#include "agent/log.hpp"

namespace sluice {

void KafkaClientError::attach(rd_kafka_conf_t* conf, std::string component) {
  component_ = std::move(component);
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_error_cb(conf, &KafkaClientError::on_error);
  rd_kafka_conf_set_log_cb(conf, &KafkaClientError::on_log);
}

// librdkafka's levels are syslog's: 0-2 emergency..critical, 3 error, 4 warning, 5 notice, 6 info, 7 debug.
void KafkaClientError::on_log(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  std::string_view fac = facility ? facility : "";
  LogLevel l = level <= 2 ? LogLevel::Error : level <= 4 ? LogLevel::Warn : level <= 6 ? LogLevel::Info : LogLevel::Debug;
  // A FAIL line (a broker connection failed or was refused) reaches the error callback too, as
  // _TRANSPORT or _AUTHENTICATION with the same text, and is logged there as a warning.
  if (fac == "FAIL") l = LogLevel::Debug;
  if (!Log::enabled(l)) return;
  const auto* self = static_cast<const KafkaClientError*>(rd_kafka_opaque(rk));
  Log::write(l, self ? std::string_view(self->component_) : std::string_view("kafka"),
             "kafka " + std::string(fac) + ": " + (message ? message : ""));
}

void KafkaClientError::on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaClientError*>(opaque);
  std::string text = std::string(rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))) + ": " + (reason ? reason : "");
  SLUICE_LOG(Warn, self->component_) << "kafka: " << text;
  std::lock_guard l(self->mu_);
  self->last_ = std::move(text);
}

std::string KafkaClientError::suffix() const {
  std::lock_guard l(mu_);
  return last_.empty() ? "" : " (last client error: " + last_ + ")";
}

}  // namespace sluice
