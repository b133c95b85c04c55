// Flume type: exec (org.apache.flume.source.ExecSource)
// Keys: command (required), shell (e.g. "/bin/sh -c"; without it the command is split on spaces),
// restart (false), restartThrottle (10000 ms), logStdErr (false), batchSize (20), batchTimeout (3000 ms).
// Each stdout line is an event. A full channel is retried with the same batch (the command's pipe
// fills and it blocks) instead of dropping, unlike Flume, which loses such a batch.
#pragma once
#include <atomic>
#include <thread>

#include "agent/source.hpp"

namespace sluice {

class ExecSource : public Source {
 public:
  ExecSource(const std::string& name, Context& ctx);
  ~ExecSource() override;
  void start() override;
  void stop() override;

 private:
  void run();
  int run_once();  // runs the command to its end; returns its exit status
  bool deliver(Batch& batch);
  std::vector<std::string> argv_;
  bool restart_, log_stderr_;
  int64_t throttle_ms_, batch_timeout_ms_;
  size_t batch_size_;
  std::atomic<bool> stop_{false};
  std::atomic<int> child_{-1};
  std::thread thread_;
};

}  // namespace sluice
