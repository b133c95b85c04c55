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
  virtual void intercept(Batch& batch) = 0;
  // Interceptors with counters of their own return them (shown as INTERCEPTOR.name).
  virtual std::shared_ptr<ComponentMetrics> metrics() const { return nullptr; }

 protected:
  std::string name_;
};

}  // namespace sluice
