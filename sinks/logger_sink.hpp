// Flume type: logger (org.apache.flume.sink.LoggerSink)
// Keys: maxBytesToLog (16), batchSize (100; Flume takes one event per transaction).
// Logs each event at INFO as Flume does: headers, then the first maxBytesToLog body bytes in hex
// and as text.
#pragma once
#include "agent/sink.hpp"

namespace sluice {

class LoggerSink : public BatchSink {
 public:
  LoggerSink(const std::string& name, Context& ctx);
  // "Event: { headers:{k=v} body: 68 69  hi }"
  static std::string dump(const Event& e, size_t max_bytes);

 protected:
  void deliver(const Batch& batch) override;

 private:
  size_t max_bytes_;
};

}  // namespace sluice
