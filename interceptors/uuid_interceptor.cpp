#include "interceptors/uuid_interceptor.hpp"

#include <cstdio>

namespace sluice {

UuidInterceptor::UuidInterceptor(const std::string& name, Context& ctx)
    : Interceptor(name), rng_(std::random_device{}() ^ (static_cast<uint64_t>(std::random_device{}()) << 32)) {
  header_ = ctx.get_string("headerName", "id", "header that receives the UUID");
  preserve_ = ctx.get_bool("preserveExisting", true, "keep an id already present");
  prefix_ = ctx.get_string("prefix", "", "text put before the UUID");
}

std::string UuidInterceptor::next() {
  uint64_t hi, lo;
  {
    std::lock_guard l(mu_);
    hi = rng_();
    lo = rng_();
  }
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return prefix_ + buf;
}

void UuidInterceptor::intercept(Batch& batch) {
  for (auto& e : batch) {
    if (preserve_ && e.headers.contains(header_)) continue;
    e.headers.set(header_, next());
  }
}

}  // namespace sluice
