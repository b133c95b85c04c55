// Sink: takes events from its channel and delivers them. process() handles one batch in one
// transaction; it throws on a delivery failure after rolling back (the runner backs off and retries).
#pragma once
#include <memory>
#include <stdexcept>
#include <string>

#include "agent/channel.hpp"
#include "agent/context.hpp"
#include "agent/log.hpp"
#include "agent/metrics.hpp"

namespace sluice {

// Flume's EventDeliveryException.
class DeliveryException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Sink {
 public:
  enum class Status { Ready, Backoff };
  explicit Sink(std::string name) : name_(name), counters_(std::move(name)) {}
  virtual ~Sink() = default;
  const std::string& name() const { return name_; }
  void set_channel(Channel* c) { channel_ = c; }
  Channel* channel() const { return channel_; }
  virtual void start() { counters_.group->mark_start(); }
  virtual void stop() { counters_.group->mark_stop(); }
  // Ready: a batch was delivered (more may be waiting); Backoff: nothing to do.
  virtual Status process() = 0;
  std::shared_ptr<ComponentMetrics> metrics() const { return counters_.group; }

 protected:
  std::string name_;
  SinkCounters counters_;
  Channel* channel_ = nullptr;
};

// The common shape of a sink: take up to batch_size events in a transaction, deliver() them
// durably, commit. On any exception: roll back (events stay in the channel), count, rethrow as
// DeliveryException. Keeps Flume's batch counters (empty / underflow / complete).
class BatchSink : public Sink {
 public:
  BatchSink(std::string name, size_t batch_size) : Sink(std::move(name)), batch_size_(batch_size) {}
  Status process() override;

 protected:
  // Must make the batch durable before returning (or throw). An empty batch is never passed;
  // idle() is called instead so time-based work (rolling files) can happen.
  virtual void deliver(const Batch& batch) = 0;
  virtual void idle() {}
  size_t batch_size_;
  RateLimit fail_log_;
};

}  // namespace sluice
