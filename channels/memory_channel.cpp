#include "channels/memory_channel.hpp"

#include <sstream>

namespace sluice {

class MemoryTransaction : public Transaction {
 public:
  explicit MemoryTransaction(MemoryChannel& ch) : ch_(ch) {}
  ~MemoryTransaction() override {
    if (open_) rollback();
  }

  void put(Event&& e) override {
    if (puts_.size() >= ch_.tx_capacity_) throw full_put();
    ch_.counters_.put_attempt.inc();
    put_bytes_ += static_cast<int64_t>(e.byte_size());
    puts_.push_back(std::move(e));
  }

  void put_batch(Batch&& batch) override {
    ch_.counters_.put_attempt.inc(static_cast<int64_t>(batch.size()));
    if (puts_.size() + batch.size() > ch_.tx_capacity_) throw full_put();
    for (auto& e : batch) put_bytes_ += static_cast<int64_t>(e.byte_size());
    if (puts_.empty()) {
      puts_.swap(batch);  // the usual one batch per transaction: take the vector, move no event
      return;
    }
    for (auto& e : batch) puts_.push_back(std::move(e));
  }

  const Batch& taken() const override { return taken_; }

  size_t take(size_t max, bool wait) override {
    size_t room = ch_.tx_capacity_ - taken_count_;
    if (room == 0)
      throw ChannelException("take list of a memory transaction of channel " + ch_.name() + " (capacity " +
                             std::to_string(ch_.tx_capacity_) +
                             ") is full: take fewer events per transaction or raise transactionCapacity");
    ch_.counters_.take_attempt.inc();
    size_t before = taken_.size();
    size_t n = ch_.take_some(taken_, std::min(max, room), wait);
    for (size_t i = before; i < taken_.size(); ++i) taken_bytes_ += static_cast<int64_t>(taken_[i].byte_size());
    taken_count_ += n;
    return n;
  }

  void commit() override {
    if (!puts_.empty()) {
      size_t count = puts_.size();
      if (!ch_.commit_puts(puts_, put_bytes_, taken_count_, taken_bytes_)) {
        std::ostringstream msg;
        msg << "channel " << ch_.name() << " is full (capacity " << ch_.capacity_ << " events, "
            << ch_.byte_limit_ << " bytes): could not commit " << count
            << " events within keep-alive; sinks are not keeping up with sources";
        throw ChannelException(msg.str());
      }
      ch_.counters_.put_success.inc(static_cast<int64_t>(count));
    } else if (taken_count_ > 0) {
      ch_.release_takes(taken_count_, taken_bytes_);
    }
    if (taken_count_ > 0) ch_.counters_.take_success.inc(static_cast<int64_t>(taken_count_));
    reset();
  }

  void rollback() override {
    if (taken_count_ > 0) ch_.return_takes(taken_, taken_bytes_);
    reset();
  }

  void return_puts(Batch& out) override {
    if (!puts_.empty()) out = std::move(puts_);
    puts_.clear();
    put_bytes_ = 0;
  }

 private:
  ChannelException full_put() const {
    return ChannelException("put list of a memory transaction of channel " + ch_.name() + " (capacity " +
                            std::to_string(ch_.tx_capacity_) +
                            ") is full: commit more often or raise transactionCapacity");
  }
  void reset() {
    puts_.clear();
    taken_.clear();
    put_bytes_ = taken_bytes_ = 0;
    taken_count_ = 0;
    open_ = false;
  }

  MemoryChannel& ch_;
  Batch puts_;
  Batch taken_;  // owned until commit; returned to the channel on rollback
  int64_t put_bytes_ = 0, taken_bytes_ = 0;
  size_t taken_count_ = 0;
  bool open_ = true;
};

MemoryChannel::MemoryChannel(const std::string& name, Context& ctx) : Channel(name) {
  size_t errors_before = ctx.diagnostics().error_count();
  capacity_ = static_cast<size_t>(ctx.get_int("capacity", 100, "most events the channel holds", 1));
  tx_capacity_ = static_cast<size_t>(
      ctx.get_int("transactionCapacity", 100, "most events one put or take transaction holds", 1));
  int64_t byte_capacity = ctx.get_int("byteCapacity", 256LL << 20, "most body bytes the channel holds", 1);
  int64_t buffer_pct = ctx.get_int("byteCapacityBufferPercentage", 20,
                                   "share of byteCapacity kept free for header overhead, percent", 0, 99);
  keep_alive_ = std::chrono::seconds(
      ctx.get_int("keep-alive", 3, "seconds a commit waits for room and a take waits for an event", 0));
  byte_limit_ = byte_capacity * (100 - buffer_pct) / 100;
  if (tx_capacity_ > capacity_ && ctx.diagnostics().error_count() == errors_before)  // not after a bad value
    ctx.error("transactionCapacity", "(" + std::to_string(tx_capacity_) + ") must not exceed capacity (" +
                                         std::to_string(capacity_) + ")");
  counters_.group->gauge("ChannelCapacity", [this] { return std::to_string(capacity_); });
  counters_.group->gauge("ChannelSize", [this] { return std::to_string(size()); });
  counters_.group->gauge("ChannelFillPercentage", [this] {
    std::lock_guard lock(mu_);
    std::ostringstream s;
    s << 100.0 * static_cast<double>(queue_.size() + in_flight_) / static_cast<double>(capacity_);
    return s.str();
  });
}

std::unique_ptr<Transaction> MemoryChannel::begin() { return std::make_unique<MemoryTransaction>(*this); }

size_t MemoryChannel::size() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void MemoryChannel::wake() {
  std::lock_guard lock(mu_);
  ++wake_generation_;
  data_cv_.notify_all();
  space_cv_.notify_all();
}

void MemoryChannel::stop() {
  wake();
  Channel::stop();
}

size_t MemoryChannel::take_some(Batch& out, size_t max, bool wait) {
  std::unique_lock lock(mu_);
  if (queue_.empty() && wait && keep_alive_.count() > 0) {
    uint64_t gen = wake_generation_;
    data_cv_.wait_for(lock, keep_alive_, [&] { return !queue_.empty() || wake_generation_ != gen; });
  }
  size_t n = std::min(max, queue_.size());
  for (size_t i = 0; i < n; ++i) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  in_flight_ += n;
  return n;
}

bool MemoryChannel::commit_puts(Batch& puts, int64_t put_bytes, size_t releasing_events, int64_t releasing_bytes) {
  std::unique_lock lock(mu_);
  // Takes committed in the same transaction free their room first (Flume nets the two).
  in_flight_ -= releasing_events;
  bytes_used_ -= releasing_bytes;
  if (releasing_events) space_cv_.notify_all();
  auto fits = [&] {
    return queue_.size() + in_flight_ + puts.size() <= capacity_ && bytes_used_ + put_bytes <= byte_limit_;
  };
  if (!fits()) {
    uint64_t gen = wake_generation_;
    if (keep_alive_.count() == 0 ||
        !space_cv_.wait_for(lock, keep_alive_, [&] { return fits() || wake_generation_ != gen; }) || !fits()) {
      // All or nothing: the takes are restored too, so the caller's rollback returns them.
      in_flight_ += releasing_events;
      bytes_used_ += releasing_bytes;
      return false;
    }
  }
  for (auto& e : puts) queue_.push_back(std::move(e));
  bytes_used_ += put_bytes;
  data_cv_.notify_all();
  return true;
}

void MemoryChannel::release_takes(size_t events, int64_t bytes) {
  std::lock_guard lock(mu_);
  in_flight_ -= events;
  bytes_used_ -= bytes;
  space_cv_.notify_all();
}

void MemoryChannel::return_takes(Batch& taken, int64_t /*bytes*/) {
  std::lock_guard lock(mu_);
  // Put back at the head in original order; they still occupy their room.
  for (auto it = taken.rbegin(); it != taken.rend(); ++it) queue_.push_front(std::move(*it));
  in_flight_ -= taken.size();
  data_cv_.notify_all();
}

}  // namespace sluice
