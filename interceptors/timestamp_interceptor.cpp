#include "interceptors/timestamp_interceptor.hpp"

#include "agent/metrics.hpp"

namespace sluice {

TimestampInterceptor::TimestampInterceptor(const std::string& name, Context& ctx) : Interceptor(name) {
  header_ = ctx.get_string("headerName", "timestamp", "header that receives the time in ms");
  preserve_ = ctx.get_bool("preserveExisting", false, "keep a timestamp already present");
}

void TimestampInterceptor::intercept(Batch& batch) {
  std::string now = std::to_string(now_ms());
  for (auto& e : batch) {
    if (preserve_) e.headers.set_if_absent(header_, now);
    else e.headers.set(header_, now);
  }
}

}  // namespace sluice
