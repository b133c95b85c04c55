// Type: stdin (sluice; Flume has none — handy for `tail -F x | sluice agent ...` and tests).
// Keys: batchSize (100), batchTimeout (1000 ms: a partial batch is sent after this long).
// Reads lines from standard input; at end of input it stops producing. A full channel is retried
// with the same batch (reading pauses), so no line is dropped.
#pragma once
#include <atomic>
#include <thread>

#include "agent/source.hpp"

namespace sluice {

class StdinSource : public Source {
 public:
  StdinSource(const std::string& name, Context& ctx);
  ~StdinSource() override;
  void start() override;
  void stop() override;
  // For tests: read from this descriptor instead of 0.
  void set_input_fd(int fd) { fd_ = fd; }

 private:
  void run();
  bool send(Batch& batch);
  size_t batch_size_;
  int64_t batch_timeout_ms_;
  int fd_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sluice
