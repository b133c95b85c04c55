// HTTP monitoring endpoint (Flume's -Dflume.monitoring.type=http): GET /metrics returns Flume's
// JSON shape, GET /prometheus the same counters in Prometheus text format. Binds 127.0.0.1 unless
// told otherwise. Runs on its own thread with Boost.Beast; one request per connection is enough.
// Optionally HTTPS (a sluice addition; Flume's endpoint is plain HTTP), with the TLS keys of the
// network sources given as -Dflume.monitoring.<key>, mTLS included (see agent/tls.hpp).
#pragma once
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "agent/metrics.hpp"

namespace sluice {

class MetricsServer {
 public:
  // tls: nullptr for plain HTTP.
  MetricsServer(MetricsRegistry& registry, std::string bind, int port,
                std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
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
