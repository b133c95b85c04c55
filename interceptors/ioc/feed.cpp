#include "interceptors/ioc/feed.hpp"

#include <re2/re2.h>

#include <boost/json.hpp>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sluice::ioc {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read feed " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> split_csv(const std::string& line, char delim) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delim) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// Expiry: epoch seconds, or an ISO date / date-time (UTC). -1 if it does not parse.
int64_t parse_time(const std::string& s) {
  if (s.empty()) return 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (*end == '\0') return v;
  std::tm tm{};
  const char* r = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!r) r = strptime(s.c_str(), "%Y-%m-%d", &tm);
  if (!r) return -1;
  return static_cast<int64_t>(timegm(&tm));
}

void note(FeedLoadResult& r, const FeedSpec& f, size_t line, const std::string& why) {
  ++r.bad_lines;
  if (r.errors.size() < 20) r.errors.push_back(f.path + ":" + std::to_string(line) + ": " + why);
}

}  // namespace

FeedLoadResult load_feed(const FeedSpec& f, IndicatorSet& set, int64_t now_s) {
  return parse_feed(f, slurp(f.path), set, now_s);
}

FeedLoadResult parse_feed(const FeedSpec& f, std::string_view text, IndicatorSet& set, int64_t now_s) {
  FeedLoadResult r;
  if (f.format == FeedSpec::Format::Stix) {
    boost::json::error_code ec;
    auto v = boost::json::parse(text, ec);
    auto* objects = ec || !v.is_object() ? nullptr : v.as_object().if_contains("objects");
    if (!objects || !objects->is_array())
      throw std::runtime_error(f.path + ": not a STIX 2.1 bundle (expected {\"type\": \"bundle\", \"objects\": [...]})");
    // RE2, not std::regex: libstdc++'s matcher recurses once per character and overflows the stack on a long
    // pattern (a feed is outside input).
    static const RE2 kEq(R"(\s*\[\s*([a-z0-9-]+):([A-Za-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*\]\s*)");
    size_t idx = 0;
    for (const auto& o : objects->as_array()) {
      ++idx;
      if (!o.is_object()) continue;
      const auto& obj = o.as_object();
      auto* type = obj.if_contains("type");
      if (!type || !type->is_string() || type->as_string() != "indicator") continue;
      auto* pat = obj.if_contains("pattern");
      if (!pat || !pat->is_string()) {
        note(r, f, idx, "indicator without a pattern");
        continue;
      }
      if (auto* vu = obj.if_contains("valid_until"); vu && vu->is_string()) {
        int64_t t = parse_time(std::string(vu->as_string()).substr(0, 19));
        if (t > 0 && t < now_s) {
          ++r.expired;
          continue;
        }
      }
      std::string obj_type, prop, value;
      if (!RE2::FullMatch(std::string_view(pat->as_string()), kEq, &obj_type, &prop, &value)) {
        ++r.unsupported;  // compound or non-equality patterns
        continue;
      }
      std::optional<Type> hint;
      if (obj_type == "ipv4-addr" || obj_type == "ipv6-addr") hint = obj_type == "ipv4-addr" ? Type::Ipv4 : Type::Ipv6;
      else if (obj_type == "domain-name") hint = Type::Domain;
      else if (obj_type == "url") hint = Type::Url;
      else if (obj_type == "email-addr") hint = Type::Email;
      else if (obj_type == "file" && prop.starts_with("hashes.")) hint = Type::Sha256;  // any hash length
      if (!hint) {
        ++r.unsupported;
        continue;
      }
      if (value.find('/') != std::string::npos && (*hint == Type::Ipv4 || *hint == Type::Ipv6)) hint = Type::Cidr;
      auto ind = classify(value, hint);
      if (!ind) {
        note(r, f, idx, "'" + value + "' is not a valid " + obj_type);
        continue;
      }
      set.add(*ind, f.name);
      ++r.loaded;
    }
    return r;
  }
  std::istringstream in{std::string(text)};
  size_t lineno = 0;
  for (std::string line; std::getline(in, line);) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#') continue;
    if (f.format == FeedSpec::Format::Csv && f.header && lineno == 1) continue;
    std::string value = line, feed = f.name;
    std::optional<Type> hint;
    if (f.format == FeedSpec::Format::Csv) {
      auto cols = split_csv(line, f.delimiter);
      auto col = [&](int i) { return i >= 0 && static_cast<size_t>(i) < cols.size() ? cols[static_cast<size_t>(i)] : std::string(); };
      if (static_cast<size_t>(f.value_column) >= cols.size()) {
        note(r, f, lineno, "no column " + std::to_string(f.value_column));
        continue;
      }
      value = col(f.value_column);
      if (f.type_column >= 0) {
        hint = parse_type(col(f.type_column));
        if (!hint) {
          note(r, f, lineno, "unknown indicator type '" + col(f.type_column) + "'");
          continue;
        }
      }
      if (f.feed_column >= 0 && !col(f.feed_column).empty()) feed = col(f.feed_column);
      if (f.expires_column >= 0) {
        int64_t t = parse_time(col(f.expires_column));
        if (t < 0) {
          note(r, f, lineno, "expiry '" + col(f.expires_column) + "' is not a date");
          continue;
        }
        if (t > 0 && t < now_s) {
          ++r.expired;
          continue;
        }
      }
    }
    auto ind = classify(value, hint);
    if (!ind) {
      note(r, f, lineno, "'" + value + "' is not an IP, CIDR, domain, URL, hash or email");
      continue;
    }
    set.add(*ind, feed);
    ++r.loaded;
  }
  return r;
}

}  // namespace sluice::ioc
