// Flume type: host (org.apache.flume.interceptor.HostInterceptor$Builder)
// Keys: hostHeader (host), useIP (true: the host's IP address; false: its canonical host name),
// preserveExisting (false). The value is resolved once, at configuration.
#pragma once
#include "agent/context.hpp"
#include "agent/interceptor.hpp"

namespace sluice {

class HostInterceptor : public Interceptor {
 public:
  HostInterceptor(const std::string& name, Context& ctx);
  void intercept(Batch& batch) override;
  bool only_sets_headers() const override { return true; }
  // The local host's address (use_ip) or canonical name, as Java's InetAddress.getLocalHost() gives it.
  static std::string local_host(bool use_ip);

 private:
  std::string header_, value_;
  bool preserve_;
};

}  // namespace sluice
