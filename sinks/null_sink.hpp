// Flume type: null (org.apache.flume.sink.NullSink)
// Keys: batchSize (100). Takes events and discards them (for testing and benchmarks).
#pragma once
#include "agent/sink.hpp"

namespace sluice {

class NullSink : public BatchSink {
 public:
  NullSink(const std::string& name, Context& ctx)
      : BatchSink(name, static_cast<size_t>(ctx.get_int("batchSize", 100, "events per transaction", 1))) {}

 protected:
  void deliver(const Batch&) override {}
};

}  // namespace sluice
