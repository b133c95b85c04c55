#include "sources/seq_source.hpp"

#include <limits>

namespace sluice {

SeqSource::SeqSource(const std::string& name, Context& ctx) : PollableSource(name, ctx) {
  batch_size_ = ctx.get_int("batchSize", 1, "events per channel transaction", 1);
  total_ = ctx.get_int("totalEvents", std::numeric_limits<int64_t>::max(), "events to generate, then stop", 0);
  body_size_ = static_cast<size_t>(ctx.get_int("bodySize", 0, "zero-pad the counter to this many bytes (sluice)", 0));
}

PollableSource::Status SeqSource::process() {
  if (next_ >= total_) return Status::Backoff;
  int64_t n = std::min(batch_size_, total_ - next_);
  Batch batch;
  batch.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    std::string body = std::to_string(next_ + i);
    if (body.size() < body_size_) body.insert(0, body_size_ - body.size(), '0');
    batch.emplace_back(std::move(body));
  }
  counters_.events_received.inc(n);
  counters_.append_batch_received.inc();
  processor().process(std::move(batch));  // ChannelException: the same numbers are generated again
  next_ += n;
  counters_.events_accepted.inc(n);
  counters_.append_batch_accepted.inc();
  return Status::Ready;
}

}  // namespace sluice
