#include "interceptors/parse/combined_parser.hpp"

namespace sluice::parse {
namespace {

void skip_spaces(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
}

// s starts at an opening quote; returns the contents and leaves s after the closing quote.
// A quote preceded by an odd number of backslashes is part of the value.
bool quoted(std::string_view& s, std::string_view& value) {
  if (s.empty() || s.front() != '"') return false;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i] == '"') {
      value = s.substr(1, i - 1);
      s.remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

void add_unless_dash(Fields& out, std::string_view name, std::string_view v) {
  if (v != "-" && !v.empty()) out.add(name, v);
}

bool fail(std::string& error, const char* what) {
  error = std::string("combined: ") + what;
  return false;
}

}  // namespace

bool CombinedParser::parse(std::string_view line, Fields& out, std::string& error) {
  std::string_view s = chomp(line);
  std::string_view client = next_token(s), ident = next_token(s), user = next_token(s);
  if (user.empty()) return fail(error, "fewer than 3 fields before the time");
  skip_spaces(s);
  if (s.empty() || s.front() != '[') return fail(error, "expected [time]");
  size_t close = s.find(']');
  if (close == std::string_view::npos) return fail(error, "unterminated [time]");
  std::string_view time = s.substr(1, close - 1);
  s.remove_prefix(close + 1);
  skip_spaces(s);
  std::string_view request;
  if (!quoted(s, request)) return fail(error, "expected a quoted request line");
  std::string_view status = next_token(s), bytes = next_token(s);
  if (status.size() != 3 || status[0] < '0' || status[0] > '9' || status[1] < '0' || status[1] > '9' ||
      status[2] < '0' || status[2] > '9')
    return fail(error, "expected a 3-digit status after the request");
  if (bytes.empty()) return fail(error, "expected a byte count after the status");
  std::string_view referer, agent;
  skip_spaces(s);
  bool combined = !s.empty();
  if (combined) {
    if (!quoted(s, referer)) return fail(error, "expected a quoted referer");
    skip_spaces(s);
    if (!quoted(s, agent)) return fail(error, "expected a quoted user agent");
  }

  out.add("client", client);
  add_unless_dash(out, "ident", ident);
  add_unless_dash(out, "user", user);
  out.add("time", time);
  out.add("request", request);
  std::string_view r = request;
  std::string_view method = next_token(r), url = next_token(r), protocol = next_token(r);
  if (!protocol.empty() && next_token(r).empty()) {
    out.add("method", method);
    out.add("url", url);
    out.add("protocol", protocol);
  }
  out.add("status", status);
  add_unless_dash(out, "bytes", bytes);
  if (combined) {
    add_unless_dash(out, "referer", referer);
    add_unless_dash(out, "user_agent", agent);
  }
  return true;
}

}  // namespace sluice::parse
