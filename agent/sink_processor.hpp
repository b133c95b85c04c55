// Sink processors (sink groups): default (one sink), failover (highest priority live sink; a failed
// sink is penalised with exponential backoff up to maxpenalty), load_balance (round_robin or random,
// optional backoff of failed sinks up to selector.maxTimeOut). Each group runs on one SinkRunner thread.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agent/context.hpp"
#include "agent/sink.hpp"

namespace sluice {

class SinkProcessor {
 public:
  virtual ~SinkProcessor() = default;
  virtual void start();
  virtual void stop();
  // Throws DeliveryException when no sink could deliver.
  virtual Sink::Status process() = 0;
  const std::vector<Sink*>& sinks() const { return sinks_; }

 protected:
  std::vector<Sink*> sinks_;
};

// processor.* context of a sink group (keys relative: type, priority.<sink>, maxpenalty, backoff,
// selector, selector.maxTimeOut). Errors go to the context's diagnostics; returns nullptr on error.
std::unique_ptr<SinkProcessor> make_sink_processor(Context ctx, const std::vector<Sink*>& sinks);
std::unique_ptr<SinkProcessor> make_default_processor(Sink* sink);

// Flume's SinkRunner: calls process() in a loop; on Backoff or failure sleeps, growing by 1 s up to
// 5 s (Flume's backoffSleepIncrement / maxBackoffSleep), woken early on stop.
class SinkRunner {
 public:
  SinkRunner(std::string name, std::unique_ptr<SinkProcessor> processor);
  ~SinkRunner();
  void start();
  // Stops the loop; before that, keeps processing while the sinks' channels still hold events,
  // for at most drain_timeout (graceful shutdown drains).
  void stop(std::chrono::milliseconds drain_timeout = std::chrono::seconds(10));
  SinkProcessor& processor() { return *processor_; }
  const std::string& name() const { return name_; }

 private:
  void run();
  std::string name_;
  std::unique_ptr<SinkProcessor> processor_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> drain_deadline_ns_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace sluice
