#include "interceptors/regex_extractor_interceptor.hpp"

#include <ctime>

#include "interceptors/regex_filter_interceptor.hpp"

namespace sluice {

RegexExtractorInterceptor::RegexExtractorInterceptor(const std::string& name, Context& ctx) : Interceptor(name) {
  std::string pattern = ctx.require_string("regex", "pattern whose capture groups become headers");
  if (!pattern.empty()) re_ = compile_regex(ctx, "regex", pattern);
  for (const auto& s : ctx.get_list("serializers", "one serializer name per capture group, in order")) {
    Context sc = ctx.sub("serializers." + s + ".");
    Serializer ser;
    ser.header = sc.require_string("name", "header name for this group");
    std::string type = sc.get_string("type", "default", "default (pass-through) or RegexExtractorInterceptorMillisSerializer");
    if (type.find("MillisSerializer") != std::string::npos) {
      ser.millis_pattern = sc.require_string("pattern", "date pattern of the group, e.g. yyyy-MM-dd HH:mm:ss");
    } else if (type != "default" && type.find("PassThroughSerializer") == std::string::npos) {
      sc.error("type", "'" + type + "' is not a serializer (expected default or " +
                           "org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer)");
    }
    serializers_.push_back(ser);
  }
  if (re_ && static_cast<size_t>(re_->NumberOfCapturingGroups()) < serializers_.size())
    ctx.error("serializers", std::to_string(serializers_.size()) + " serializers but the regex has only " +
                                 std::to_string(re_->NumberOfCapturingGroups()) + " capture groups");
}

std::optional<int64_t> RegexExtractorInterceptor::parse_millis(const std::string& pattern, const std::string& text) {
  std::tm tm{};
  tm.tm_mday = 1;
  int ms = 0;
  long offset_s = 0;
  bool has_zone = false;
  size_t ti = 0;
  for (size_t pi = 0; pi < pattern.size();) {
    char c = pattern[pi];
    size_t run = 1;
    while (pi + run < pattern.size() && pattern[pi + run] == c) ++run;
    auto digits = [&](size_t n, int& out) {
      if (ti + n > text.size()) return false;
      out = 0;
      for (size_t k = 0; k < n; ++k) {
        char d = text[ti + k];
        if (d < '0' || d > '9') return false;
        out = out * 10 + (d - '0');
      }
      ti += n;
      return true;
    };
    int v = 0;
    switch (c) {
      case 'y': if (!digits(run == 2 ? 2 : 4, v)) return std::nullopt; tm.tm_year = (run == 2 ? 2000 + v : v) - 1900; break;
      case 'M': if (!digits(2, v)) return std::nullopt; tm.tm_mon = v - 1; break;
      case 'd': if (!digits(2, v)) return std::nullopt; tm.tm_mday = v; break;
      case 'H': if (!digits(2, v)) return std::nullopt; tm.tm_hour = v; break;
      case 'm': if (!digits(2, v)) return std::nullopt; tm.tm_min = v; break;
      case 's': if (!digits(2, v)) return std::nullopt; tm.tm_sec = v; break;
      case 'S': if (!digits(run, v)) return std::nullopt; ms = v; break;
      case 'Z': {
        has_zone = true;
        if (ti < text.size() && text[ti] == 'Z') { ++ti; break; }
        if (ti + 5 > text.size() || (text[ti] != '+' && text[ti] != '-')) return std::nullopt;
        int sign = text[ti] == '-' ? -1 : 1;
        ++ti;
        int hh, mm;
        if (!digits(2, hh)) return std::nullopt;
        if (ti < text.size() && text[ti] == ':') ++ti;
        if (!digits(2, mm)) return std::nullopt;
        offset_s = sign * (hh * 3600 + mm * 60);
        break;
      }
      case '\'': {  // quoted literal
        size_t end = pattern.find('\'', pi + 1);
        if (end == std::string::npos) return std::nullopt;
        std::string lit = pattern.substr(pi + 1, end - pi - 1);
        if (text.compare(ti, lit.size(), lit) != 0) return std::nullopt;
        ti += lit.size();
        pi = end + 1;
        continue;
      }
      default:
        for (size_t k = 0; k < run; ++k) {
          if (ti >= text.size() || text[ti] != c) return std::nullopt;
          ++ti;
        }
    }
    pi += run;
  }
  if (ti != text.size()) return std::nullopt;
  time_t secs;
  if (has_zone) {
    secs = timegm(&tm) - offset_s;
  } else {
    tm.tm_isdst = -1;
    secs = mktime(&tm);
  }
  return static_cast<int64_t>(secs) * 1000 + ms;
}

void RegexExtractorInterceptor::intercept(Batch& batch) {
  if (!re_) return;
  size_t groups = std::min(serializers_.size(), static_cast<size_t>(re_->NumberOfCapturingGroups()));
  std::vector<re2::StringPiece> m(groups + 1);
  for (auto& e : batch) {
    if (!re_->Match(e.body, 0, e.body.size(), RE2::UNANCHORED, m.data(), static_cast<int>(m.size()))) continue;
    for (size_t i = 0; i < groups; ++i) {
      if (m[i + 1].data() == nullptr) continue;
      std::string value(m[i + 1].data(), m[i + 1].size());
      if (!serializers_[i].millis_pattern.empty()) {
        auto ms = parse_millis(serializers_[i].millis_pattern, value);
        if (!ms) continue;  // Flume throws and drops the header; we leave it unset
        value = std::to_string(*ms);
      }
      e.headers.set(serializers_[i].header, value);
    }
  }
}

}  // namespace sluice
