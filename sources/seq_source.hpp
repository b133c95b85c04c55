// Flume type: seq (org.apache.flume.source.SequenceGeneratorSource)
// Keys: batchSize (1), totalEvents (Long.MAX_VALUE). Bodies are the decimal counter 0, 1, 2, ...
// as in Flume; bodySize (0; sluice, for benchmarks) zero-pads the counter to that many bytes.
// When the channel is full the batch is kept and offered again (no number skipped).
#pragma once
#include "agent/source.hpp"

namespace sluice {

class SeqSource : public PollableSource {
 public:
  SeqSource(const std::string& name, Context& ctx);

 protected:
  Status process() override;

 private:
  int64_t batch_size_;
  int64_t total_;
  size_t body_size_;
  int64_t next_ = 0;  // advances only after the channel accepted the batch
};

}  // namespace sluice
