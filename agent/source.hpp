// Source: produces events and hands them to its ChannelProcessor. Event-driven sources run their
// own I/O (threads or the shared io_context); PollableSource gives Flume's runner loop with backoff.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "agent/channel_processor.hpp"
#include "agent/context.hpp"
#include "agent/metrics.hpp"

namespace sluice {

class Source {
 public:
  explicit Source(std::string name) : name_(name), counters_(std::move(name)) {}
  virtual ~Source() = default;
  const std::string& name() const { return name_; }
  void set_channel_processor(std::shared_ptr<ChannelProcessor> p) { processor_ = std::move(p); }
  ChannelProcessor& processor() { return *processor_; }
  // Must not block; start threads / async work here.
  virtual void start() = 0;
  // Stops producing; returns when no thread of the source touches the processor any more.
  virtual void stop() = 0;
  std::shared_ptr<ComponentMetrics> metrics() const { return counters_.group; }

 protected:
  std::string name_;
  SourceCounters counters_;
  std::shared_ptr<ChannelProcessor> processor_;
};

// Flume's PollableSource + PollableSourceRunner: process() is called in a loop on the source's own
// thread; Backoff sleeps backoffSleepIncrement more each time, up to maxBackoffSleep.
class PollableSource : public Source {
 public:
  enum class Status { Ready, Backoff };
  PollableSource(std::string name, Context& ctx);
  ~PollableSource() override;
  void start() override;
  void stop() override;

 protected:
  virtual void on_start() {}
  virtual void on_stop() {}
  virtual Status process() = 0;
  bool stopping() const { return stop_.load(std::memory_order_relaxed); }

 private:
  void run();
  int64_t backoff_increment_ms_;
  int64_t max_backoff_ms_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sluice
