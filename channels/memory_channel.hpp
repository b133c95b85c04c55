// Flume type: memory (org.apache.flume.channel.MemoryChannel)
// Keys: capacity (100), transactionCapacity (100), byteCapacity (bytes; Flume: 80% of the JVM heap,
// here 256 MiB — a native process has no heap limit to take a share of), byteCapacityBufferPercentage (20),
// keep-alive (3 s: how long a commit waits for space and a take waits for an event).
// Guarantees: bounded by events and bytes; a put commit that finds no room within keep-alive throws
// ChannelException (backpressure); rollback of a take returns events to the head in their order.
// Events are lost if the process dies (use the file channel for durability), as in Flume.
#pragma once
#include <condition_variable>
#include <deque>
#include <mutex>

#include "agent/channel.hpp"
#include "agent/context.hpp"

namespace sluice {

class MemoryChannel : public Channel {
 public:
  MemoryChannel(const std::string& name, Context& ctx);
  std::unique_ptr<Transaction> begin() override;
  bool returns_puts() const override { return true; }
  size_t size() const override;
  void wake() override;
  void stop() override;

  size_t capacity() const { return capacity_; }
  size_t transaction_capacity() const { return tx_capacity_; }
  int64_t byte_limit() const { return byte_limit_; }

 private:
  friend class MemoryTransaction;
  // Moves up to max committed events into out; counts them as in flight until commit/rollback.
  size_t take_some(Batch& out, size_t max, bool wait);
  // Makes puts visible after waiting up to keep-alive for room; false if no room.
  bool commit_puts(Batch& puts, int64_t put_bytes, size_t releasing_events, int64_t releasing_bytes);
  void release_takes(size_t events, int64_t bytes);
  void return_takes(Batch& taken, int64_t bytes);

  size_t capacity_;
  size_t tx_capacity_;
  int64_t byte_limit_;
  std::chrono::milliseconds keep_alive_;

  mutable std::mutex mu_;
  std::condition_variable data_cv_, space_cv_;
  std::deque<Event> queue_;
  size_t in_flight_ = 0;     // taken, not yet committed: still occupies capacity (as in Flume)
  int64_t bytes_used_ = 0;   // bytes of queue_ + in-flight events
  uint64_t wake_generation_ = 0;
};

}  // namespace sluice
