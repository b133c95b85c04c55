// Interceptor: rewrites or filters a batch in place before channel selection (Flume's Interceptor).
// Removing an event from the batch drops it (regex_filter); it is then not counted as accepted.
#pragma once
#include <memory>
#include <string>

#include "agent/event.hpp"
#include "agent/metrics.hpp"

namespace sluice {

class Interceptor {
 public:
  explicit Interceptor(std::string name) : name_(std::move(name)) {}
  virtual ~Interceptor() = default;
  const std::string& name() const { return name_; }
  virtual void start() {}
  virtual void stop() {}
  // SIGHUP reached a running agent: re-read whatever the interceptor loaded from files (the IOC
  // sweeper's feeds and allowlist), even if they look unchanged, without blocking the caller or
  // the hot path. Called for the interceptors of every source that keeps running through the
  // reload (a source the reload builds or rebuilds has just loaded its files in start()).
  virtual void refresh() {}
  virtual void intercept(Batch& batch) = 0;
  // True when intercept() only adds or sets headers: it never drops, adds or reorders events and
  // never changes a body. A chain of such interceptors runs on a source's batch in place, and a
  // refused batch gets its saved headers back (ChannelProcessor::process_keeping), instead of
  // every event being copied before the chain.
  virtual bool only_sets_headers() const { return false; }
  // Interceptors with counters of their own return them (shown as INTERCEPTOR.name).
  virtual std::shared_ptr<ComponentMetrics> metrics() const { return nullptr; }

 protected:
  std::string name_;
};

}  // namespace sluice
