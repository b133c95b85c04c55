#include "agent/sink.hpp"

namespace sluice {

Sink::Status BatchSink::process() {
  auto tx = channel_->begin();
  const Batch& batch = tx->taken();
  size_t n = 0;
  try {
    while (batch.size() < batch_size_) {
      if (tx->take(batch_size_ - batch.size(), batch.empty()) == 0) break;
    }
    n = batch.size();
    if (n == 0) {
      counters_.batch_empty.inc();
      idle();
      tx->commit();
      return Status::Backoff;
    }
    (n < batch_size_ ? counters_.batch_underflow : counters_.batch_complete).inc();
    counters_.drain_attempt.inc(static_cast<int64_t>(n));
    deliver(batch);
    tx->commit();
    counters_.drain_success.inc(static_cast<int64_t>(n));
    return Status::Ready;
  } catch (const std::exception& e) {
    tx->rollback();
    counters_.event_write_fail.inc(static_cast<int64_t>(n));
    if (fail_log_.allow())
      SLUICE_LOG(Error, name_) << "delivery failed, " << n << " events rolled back to channel " << channel_->name()
                               << ": " << e.what()
                               << (fail_log_.suppressed() ? " (" + std::to_string(fail_log_.suppressed()) +
                                                                " similar failures not logged)"
                                                          : std::string());
    throw DeliveryException(e.what());
  }
}

}  // namespace sluice
