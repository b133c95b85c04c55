// HTTP monitoring endpoint (Flume's -Dflume.monitoring.type=http): GET /metrics returns Flume's
// JSON shape, GET /prometheus the same counters in Prometheus text format. Binds 127.0.0.1 unless
// told otherwise. Runs on its own thread with Boost.Beast; one request per connection is enough.
#pragma once
#include <memory>
#include <string>

#include "agent/metrics.hpp"

namespace sluice {

class MetricsServer {
 public:
  MetricsServer(MetricsRegistry& registry, std::string bind, int port);
  ~MetricsServer();
  // Throws std::runtime_error if the address cannot be bound.
  void start();
  void stop();
  int port() const;  // the bound port (useful with port 0)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
