#include "channels/kafka_client_error.hpp"

#include "agent/log.hpp"

namespace sluice {

void KafkaClientError::attach(rd_kafka_conf_t* conf, std::string component) {
  component_ = std::move(component);
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_error_cb(conf, &KafkaClientError::on_error);
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
