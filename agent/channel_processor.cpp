#include "agent/channel_processor.hpp"

#include <algorithm>
#include <unordered_map>

namespace sluice {

ChannelProcessor::ChannelProcessor(std::string source_name, std::unique_ptr<ChannelSelector> selector,
                                   std::vector<std::unique_ptr<Interceptor>> interceptors)
    : source_name_(std::move(source_name)), selector_(std::move(selector)), interceptors_(std::move(interceptors)) {}

ChannelProcessor::~ChannelProcessor() = default;

void ChannelProcessor::start() {
  for (auto& i : interceptors_) i->start();
}

void ChannelProcessor::stop() {
  for (auto& i : interceptors_) i->stop();
}

void ChannelProcessor::process(Event&& event) {
  Batch b;
  b.push_back(std::move(event));
  process(std::move(b));
}

Channel* ChannelProcessor::single_channel(const Batch& batch) const {
  if (batch.empty()) return nullptr;
  const auto& req0 = selector_->required(batch.front());
  if (req0.size() != 1) return nullptr;
  for (const auto& e : batch)
    if (&selector_->required(e) != &req0 || !selector_->optional(e).empty()) return nullptr;
  return req0[0];
}

void ChannelProcessor::process_keeping(Batch& batch) {
  if (batch.empty()) return;
  // Interceptors change events (and count them), so a retry must start from the originals. When
  // every interceptor only sets headers, the chain runs on batch itself and only the headers are
  // kept aside (a few short strings per event, against the body); otherwise the events are copied.
  bool in_place = std::all_of(interceptors_.begin(), interceptors_.end(),
                              [](const auto& i) { return i->only_sets_headers(); });
  if (!in_place) {
    Batch copy = batch;
    process(std::move(copy));
    batch.clear();
    return;
  }
  std::vector<Headers> saved;
  if (!interceptors_.empty()) {
    saved.reserve(batch.size());
    for (const auto& e : batch) saved.push_back(e.headers);
    for (auto& i : interceptors_) i->intercept(batch);
  }
  auto restore = [&] {
    if (saved.size() != batch.size()) return;  // cannot happen: these interceptors keep every event
    for (size_t i = 0; i < batch.size(); ++i) batch[i].headers = std::move(saved[i]);
  };
  Channel* only = single_channel(batch);
  if (only && only->returns_puts()) {
    auto tx = only->begin();
    try {
      tx->put_batch(std::move(batch));
      tx->commit();
    } catch (...) {
      tx->return_puts(batch);
      tx->rollback();
      restore();
      throw;
    }
    batch.clear();
    return;
  }
  Batch copy = batch;
  try {
    route(std::move(copy));
  } catch (...) {
    restore();
    throw;
  }
  batch.clear();
}

void ChannelProcessor::process(Batch&& batch) {
  for (auto& i : interceptors_) {
    i->intercept(batch);
    if (batch.empty()) return;
  }
  route(std::move(batch));
}

void ChannelProcessor::route(Batch&& batch) {
  // Fast path: every event goes to the same single required channel and no optional one
  // (the common replicating-to-one-channel case): no copies, one transaction.
  if (Channel* only = single_channel(batch)) {
    auto tx = only->begin();
    try {
      tx->put_batch(std::move(batch));
      tx->commit();
    } catch (...) {
      tx->rollback();
      throw;
    }
    return;
  }

  // General path: group events per channel, preserving order; required first.
  std::vector<std::pair<Channel*, Batch>> required, optional;
  auto slot = [](std::vector<std::pair<Channel*, Batch>>& v, Channel* c) -> Batch& {
    for (auto& [ch, b] : v)
      if (ch == c) return b;
    v.emplace_back(c, Batch{});
    return v.back().second;
  };
  for (auto& e : batch) {
    for (Channel* c : selector_->required(e)) slot(required, c).push_back(e);
    for (Channel* c : selector_->optional(e)) slot(optional, c).push_back(e);
  }
  for (auto& [channel, events] : required) {
    auto tx = channel->begin();
    try {
      tx->put_batch(std::move(events));
      tx->commit();
    } catch (...) {
      tx->rollback();
      throw;
    }
  }
  for (auto& [channel, events] : optional) {
    size_t count = events.size();
    auto tx = channel->begin();
    try {
      tx->put_batch(std::move(events));
      tx->commit();
    } catch (const std::exception& e) {
      tx->rollback();
      if (optional_fail_log_.allow())
        SLUICE_LOG(Warn, source_name_) << "optional channel " << channel->name() << " did not take "
                                       << count << " events: " << e.what();
    }
  }
}

}  // namespace sluice
