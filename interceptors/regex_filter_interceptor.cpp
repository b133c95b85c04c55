#include "interceptors/regex_filter_interceptor.hpp"

#include <algorithm>

namespace sluice {

std::unique_ptr<RE2> compile_regex(Context& ctx, const std::string& key, const std::string& pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, opts);
  if (!re->ok()) {
    ctx.error(key, "'" + pattern + "' is not a valid regular expression: " + re->error() +
                       " (RE2 syntax: no backreferences or lookaround)");
    return nullptr;
  }
  return re;
}

RegexFilterInterceptor::RegexFilterInterceptor(const std::string& name, Context& ctx) : Interceptor(name) {
  re_ = compile_regex(ctx, "regex", ctx.get_string("regex", ".*", "pattern searched for in the body"));
  exclude_ = ctx.get_bool("excludeEvents", false, "drop matching events instead of keeping them");
}

void RegexFilterInterceptor::intercept(Batch& batch) {
  auto drop = [&](const Event& e) { return RE2::PartialMatch(e.body, *re_) == exclude_; };
  batch.erase(std::remove_if(batch.begin(), batch.end(), drop), batch.end());
}

}  // namespace sluice
