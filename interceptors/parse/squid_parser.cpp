#include "interceptors/parse/squid_parser.hpp"

namespace sluice::parse {
namespace {

// seconds[.fraction]
bool is_epoch(std::string_view s) {
  size_t dot = s.find('.');
  if (dot == std::string_view::npos) return all_digits(s);
  return all_digits(s.substr(0, dot)) && all_digits(s.substr(dot + 1));
}

void add_unless_dash(Fields& out, std::string_view name, std::string_view v) {
  if (v != "-") out.add(name, v);
}

}  // namespace

bool SquidParser::parse(std::string_view line, Fields& out, std::string& error) {
  std::string_view rest = chomp(line);
  std::string_view tok[10];
  size_t n = 0;
  for (; n < 10; ++n) {
    tok[n] = next_token(rest);
    if (tok[n].empty()) break;
  }
  if (n < 10) {
    error = "squid: " + std::to_string(n) + " fields, expected 10";
    return false;
  }
  if (!next_token(rest).empty()) {
    error = "squid: more than 10 fields";
    return false;
  }
  if (!is_epoch(tok[0])) {
    error = "squid: time '" + std::string(tok[0]) + "' is not seconds.millis";
    return false;
  }
  if (!all_digits(tok[1])) {
    error = "squid: elapsed '" + std::string(tok[1]) + "' is not a number";
    return false;
  }
  size_t slash = tok[3].find('/');
  if (slash == std::string_view::npos) {
    error = "squid: '" + std::string(tok[3]) + "' is not code/status";
    return false;
  }
  if (!all_digits(tok[4]) && tok[4] != "-") {
    error = "squid: bytes '" + std::string(tok[4]) + "' is not a number";
    return false;
  }
  size_t hslash = tok[8].find('/');
  if (hslash == std::string_view::npos) {
    error = "squid: '" + std::string(tok[8]) + "' is not hierarchy/peer";
    return false;
  }
  out.add("time", tok[0]);
  out.add("elapsed", tok[1]);
  out.add("client", tok[2]);
  out.add("code", tok[3].substr(0, slash));
  out.add("status", tok[3].substr(slash + 1));
  add_unless_dash(out, "bytes", tok[4]);
  out.add("method", tok[5]);
  out.add("url", tok[6]);
  add_unless_dash(out, "user", tok[7]);
  out.add("hierarchy", tok[8].substr(0, hslash));
  add_unless_dash(out, "peer", tok[8].substr(hslash + 1));
  add_unless_dash(out, "content_type", tok[9]);
  return true;
}

}  // namespace sluice::parse
