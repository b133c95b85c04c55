#include "interceptors/host_interceptor.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>

namespace sluice {

std::string HostInterceptor::local_host(bool use_ip) {
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) != 0) return use_ip ? "127.0.0.1" : "localhost";
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_flags = AI_CANONNAME;
  addrinfo* res = nullptr;
  if (getaddrinfo(name, nullptr, &hints, &res) != 0 || !res) return use_ip ? "127.0.0.1" : name;
  std::string out = name;
  if (use_ip) {
    char ip[INET_ADDRSTRLEN];
    auto* sin = reinterpret_cast<sockaddr_in*>(res->ai_addr);
    if (inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip)) out = ip;
  } else if (res->ai_canonname) {
    out = res->ai_canonname;
  }
  freeaddrinfo(res);
  return out;
}

HostInterceptor::HostInterceptor(const std::string& name, Context& ctx) : Interceptor(name) {
  header_ = ctx.get_string("hostHeader", "host", "header that receives the host");
  bool use_ip = ctx.get_bool("useIP", true, "the IP address (true) or the host name (false)");
  preserve_ = ctx.get_bool("preserveExisting", false, "keep a host header already present");
  value_ = local_host(use_ip);
}

void HostInterceptor::intercept(Batch& batch) {
  for (auto& e : batch) {
    if (preserve_) e.headers.set_if_absent(header_, value_);
    else e.headers.set(header_, value_);
  }
}

}  // namespace sluice
