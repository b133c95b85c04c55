// Flume type: regex_extractor (org.apache.flume.interceptor.RegexExtractorInterceptor$Builder)
// Keys: regex (required), serializers ("s1 s2": one per capture group, in order),
// serializers.<s>.name (header name), serializers.<s>.type (default: pass-through;
// org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer turns the group into epoch
// ms using serializers.<s>.pattern, a Joda-style date pattern: yyyy MM dd HH mm ss SSS Z).
// On the first match of the body, group i goes into the header of serializer i.
#pragma once
#include <re2/re2.h>

#include <memory>
#include <optional>
#include <vector>

#include "agent/context.hpp"
#include "agent/interceptor.hpp"

namespace sluice {

class RegexExtractorInterceptor : public Interceptor {
 public:
  RegexExtractorInterceptor(const std::string& name, Context& ctx);
  void intercept(Batch& batch) override;
  // Parses text with a Joda-style pattern into epoch ms (local time unless the pattern has Z).
  static std::optional<int64_t> parse_millis(const std::string& pattern, const std::string& text);

 private:
  struct Serializer {
    std::string header;
    std::string millis_pattern;  // empty: pass-through
  };
  std::unique_ptr<RE2> re_;
  std::vector<Serializer> serializers_;
};

}  // namespace sluice
