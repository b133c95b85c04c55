// Flume type: static (org.apache.flume.interceptor.StaticInterceptor$Builder)
// Keys: key (key), value (value), preserveExisting (true). Adds one fixed header.
#pragma once
#include "agent/context.hpp"
#include "agent/interceptor.hpp"

namespace sluice {

class StaticInterceptor : public Interceptor {
 public:
  StaticInterceptor(const std::string& name, Context& ctx)
      : Interceptor(name),
        key_(ctx.get_string("key", "key", "header name")),
        value_(ctx.get_string("value", "value", "header value")),
        preserve_(ctx.get_bool("preserveExisting", true, "keep the header if already present")) {}
  bool only_sets_headers() const override { return true; }
  void intercept(Batch& batch) override {
    for (auto& e : batch) {
      if (preserve_) e.headers.set_if_absent(key_, value_);
      else e.headers.set(key_, value_);
    }
  }

 private:
  std::string key_, value_;
  bool preserve_;
};

}  // namespace sluice
