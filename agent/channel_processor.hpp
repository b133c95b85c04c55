// ChannelProcessor: what a source calls with its events. Runs the interceptor chain, asks the selector
// where each event goes, then puts into each required channel inside one transaction per channel.
// If a required channel fails, its transaction is rolled back and ChannelException is thrown: the
// source must not acknowledge (Flume semantics; channels already committed keep their copy, so a
// retry may duplicate there: at-least-once). Optional channels' failures are logged and ignored.
#pragma once
#include <memory>
#include <vector>

#include "agent/channel_selector.hpp"
#include "agent/interceptor.hpp"
#include "agent/log.hpp"

namespace sluice {

class ChannelProcessor {
 public:
  ChannelProcessor(std::string source_name, std::unique_ptr<ChannelSelector> selector,
                   std::vector<std::unique_ptr<Interceptor>> interceptors);
  ~ChannelProcessor();
  void start();
  void stop();
  // Throws ChannelException when a required channel did not take the batch.
  void process(Batch&& batch);
  void process(Event&& event);
  // As process(), for a source that offers the same events again when a channel refuses them:
  // on success batch is empty; on ChannelException it holds the events as they were given. When
  // every interceptor only sets headers (Interceptor::only_sets_headers) and one channel that can
  // return its puts (memory) takes every event, no event is copied: the chain runs in place and a
  // refused batch gets its saved headers back.
  void process_keeping(Batch& batch);
  const std::vector<std::unique_ptr<Interceptor>>& interceptors() const { return interceptors_; }
  const ChannelSelector& selector() const { return *selector_; }

 private:
  // The selector's part of process(): puts the intercepted batch into its channels.
  void route(Batch&& batch);
  // The one required channel every event of batch goes to, with no optional channel; else null.
  Channel* single_channel(const Batch& batch) const;

  std::string source_name_;
  std::unique_ptr<ChannelSelector> selector_;
  std::vector<std::unique_ptr<Interceptor>> interceptors_;
  RateLimit optional_fail_log_;
};

}  // namespace sluice
