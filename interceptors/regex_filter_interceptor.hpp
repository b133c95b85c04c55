// Flume type: regex_filter (org.apache.flume.interceptor.RegexFilteringInterceptor$Builder)
// Keys: regex (".*"), excludeEvents (false). Keeps events whose body contains a match (Java's
// Matcher.find); with excludeEvents, drops them instead. The pattern is compiled with RE2: Java
// syntax without backreferences or lookaround; a pattern RE2 cannot take is a config error.
#pragma once
#include <re2/re2.h>

#include <memory>

#include "agent/context.hpp"
#include "agent/interceptor.hpp"

namespace sluice {

class RegexFilterInterceptor : public Interceptor {
 public:
  RegexFilterInterceptor(const std::string& name, Context& ctx);
  void intercept(Batch& batch) override;

 private:
  std::unique_ptr<RE2> re_;
  bool exclude_;
};

// Compiles a user pattern with RE2, reporting a compile error on key.
std::unique_ptr<RE2> compile_regex(Context& ctx, const std::string& key, const std::string& pattern);

}  // namespace sluice
