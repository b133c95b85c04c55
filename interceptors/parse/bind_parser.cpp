#include "interceptors/parse/bind_parser.hpp"

namespace sluice::parse {
namespace {

bool fail(std::string& error, const char* what) {
  error = std::string("bind: ") + what;
  return false;
}

}  // namespace

bool BindParser::parse(std::string_view line, Fields& out, std::string& error) {
  std::string_view s = chomp(line);
  size_t c = s.find("client ");
  if (c == std::string_view::npos) return fail(error, "no 'client '");
  std::string_view prefix = s.substr(0, c);
  s.remove_prefix(c + 7);

  std::string_view addr = next_token(s);
  if (addr.starts_with("@0x")) addr = next_token(s);
  if (addr.ends_with(":")) addr.remove_suffix(1);  // BIND 9.8: "client 1.2.3.4#53: query: ..."
  size_t hash = addr.rfind('#');
  if (hash == std::string_view::npos || hash == 0 || hash + 1 >= addr.size())
    return fail(error, "expected address#port");
  size_t q = s.find(" query: ");
  if (q == std::string_view::npos) return fail(error, "expected 'query:'");
  std::string_view between = s.substr(0, q);  // " (example.com): view internal:"
  s.remove_prefix(q + 8);

  std::string_view name = next_token(s), cls = next_token(s), type = next_token(s), flags = next_token(s),
                   server = next_token(s);
  if (server.size() < 2 || server.front() != '(' || server.back() != ')')
    return fail(error, "expected name class type flags (server) after 'query:'");

  std::string_view p = prefix;
  std::string_view date = next_token(p), clock = next_token(p);
  if (!date.empty() && date[0] >= '0' && date[0] <= '9' && !clock.empty())
    out.add("time", prefix.substr(date.data() - prefix.data(), clock.data() + clock.size() - date.data()));
  out.add("client", addr.substr(0, hash));
  out.add("client_port", addr.substr(hash + 1));
  size_t v = between.find("view ");
  if (v != std::string_view::npos) {
    std::string_view view = between.substr(v + 5);
    if (!view.empty() && view.back() == ':') view.remove_suffix(1);
    out.add("view", view);
  }
  out.add("query", name);
  out.add("class", cls);
  out.add("qtype", type);
  out.add("flags", flags);
  out.add("server", server.substr(1, server.size() - 2));
  return true;
}

}  // namespace sluice::parse
