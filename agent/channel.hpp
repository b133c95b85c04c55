// Channel and Transaction: Flume's contract. A source puts a batch inside one transaction and
// acknowledges its peer only after commit; a sink takes a batch, writes it durably, then commits.
// Rollback returns taken events to the channel (they are taken again, in order).
#pragma once
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "agent/event.hpp"
#include "agent/metrics.hpp"

namespace sluice {

// Flume's ChannelException: the channel cannot accept (full) or serve the request.
// Sources translate it into backpressure (stop reading / answer FAILED / 503).
class ChannelException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Transaction {
 public:
  virtual ~Transaction() = default;  // an open transaction is rolled back on destruction
  // Adds events to the transaction. Throws ChannelException if more than transactionCapacity.
  virtual void put(Event&& e) = 0;
  virtual void put_batch(Batch&& batch) {
    for (auto& e : batch) put(std::move(e));
  }
  // Takes up to max more events into this transaction. With wait, waits up to the channel's
  // keep-alive for the first one; then takes what is there without waiting. Returns how many.
  // The transaction keeps owning them (a rollback returns them to the channel): read them through
  // taken(), never move from them.
  virtual size_t take(size_t max, bool wait = true) = 0;
  // Everything taken in this transaction so far, in channel order.
  virtual const Batch& taken() const = 0;
  // Makes puts visible / takes permanent. Throws ChannelException (e.g. channel full); the transaction
  // must then be rolled back.
  virtual void commit() = 0;
  virtual void rollback() = 0;
  // For channels whose returns_puts() is true: after a failed put_batch() or commit() (before
  // rollback()) hands the events put back, so a source can offer them again without having kept a
  // copy. Replaces out with them when there are any; if put_batch() threw before taking anything,
  // out is left as it is.
  virtual void return_puts(Batch& out) { (void)out; }
};

class Channel {
 public:
  explicit Channel(std::string name) : name_(name), counters_(std::move(name)) {}
  virtual ~Channel() = default;
  const std::string& name() const { return name_; }
  virtual void start() { counters_.group->mark_start(); }
  virtual void stop() { counters_.group->mark_stop(); }
  virtual std::unique_ptr<Transaction> begin() = 0;
  // True if this channel's transactions hold put events unchanged until commit and implement
  // Transaction::return_puts().
  virtual bool returns_puts() const { return false; }
  // Events committed and not yet taken (for draining and metrics).
  virtual size_t size() const = 0;
  // True when the events it holds survive a stop or a restart of the agent (file: on disk; kafka: in
  // the topic, with the offsets committed in Kafka), so those left at shutdown are not lost.
  virtual bool durable() const { return false; }
  // Wakes takers blocked in take() (used on shutdown).
  virtual void wake() {}
  std::shared_ptr<ComponentMetrics> metrics() const { return counters_.group; }

 protected:
  std::string name_;
  ChannelCounters counters_;
};

}  // namespace sluice
