#include "interceptors/ioc/feed.hpp"

#include <re2/re2.h>

#include <boost/json.hpp>
#include <algorithm>
#include <ctime>
#include <fstream>
#include <stdexcept>

namespace sluice::ioc {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read feed " + path);
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) text.append(buf, static_cast<size_t>(in.gcount()));
  if (in.bad()) throw std::runtime_error("cannot read feed " + path);
  return text;
}

std::vector<std::string> split_csv(std::string_view line, char delim) {
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
  // Lines are views of the text (no copy per line); the set is sized for at most one indicator per
  // line up front, so a large feed never rebuilds the presence filter as it grows.
  set.reserve(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  size_t lineno = 0;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    std::string_view line = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    at = nl == std::string_view::npos ? text.size() : nl + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string_view::npos || line[b] == '#') continue;
    if (f.format == FeedSpec::Format::Csv && f.header && lineno == 1) continue;
    std::string_view value = line;
    std::string feed_column;
    const std::string* feed = &f.name;
    std::vector<std::string> cols;  // a CSV line's columns; value may view one
    std::optional<Type> hint;
    if (f.format == FeedSpec::Format::Csv) {
      cols = split_csv(line, f.delimiter);
      auto col = [&](int i) { return i >= 0 && static_cast<size_t>(i) < cols.size() ? cols[static_cast<size_t>(i)] : std::string(); };
      if (static_cast<size_t>(f.value_column) >= cols.size()) {
        note(r, f, lineno, "no column " + std::to_string(f.value_column));
        continue;
      }
      value = cols[static_cast<size_t>(f.value_column)];
      if (f.type_column >= 0) {
        hint = parse_type(col(f.type_column));
        if (!hint) {
          note(r, f, lineno, "unknown indicator type '" + col(f.type_column) + "'");
          continue;
        }
      }
      if (f.feed_column >= 0 && !col(f.feed_column).empty()) {
        feed_column = col(f.feed_column);
        feed = &feed_column;
      }
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
      note(r, f, lineno, "'" + std::string(value) + "' is not an IP, CIDR, domain, URL, hash or email");
      continue;
    }
    set.add(*ind, *feed);
    ++r.loaded;
  }
  return r;
}

}  // namespace sluice::ioc
