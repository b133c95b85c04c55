#include "interceptors/ioc/extract.hpp"

#include <algorithm>
#include <cctype>

#include "sources/syslog/syslog_parser.hpp"

namespace sluice::ioc {
namespace {

bool is_sep(unsigned char c) {
  return std::isspace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == ',' || c == ';' || c == '|' ||
         c == '(' || c == ')' || c == '{' || c == '}' || c == '\\' || c == '`';
}

void add(Candidates& out, std::optional<Indicator> i) {
  if (!i) return;
  for (const auto& x : out.items)
    if (x.type == i->type && x.value == i->value) return;
  out.items.push_back(std::move(*i));
}

void add_host(Candidates& out, std::string_view host) {
  if (host.empty()) return;
  if (host.front() == '[') {  // [v6]:port
    size_t close = host.find(']');
    add(out, classify(host.substr(1, close == std::string_view::npos ? host.size() - 1 : close - 1), Type::Ipv6));
    return;
  }
  size_t colon = host.find(':');
  if (colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos) host = host.substr(0, colon);
  if (auto ip = classify(host, Type::Ipv4)) return add(out, ip);
  add(out, classify(host, Type::Domain));
}

void token(std::string_view t, Candidates& out) {
  while (!t.empty() && (t.back() == '.' || t.back() == ':' || t.back() == ']' || t.back() == '[')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == '[' || t.front() == ':')) t.remove_prefix(1);
  if (t.size() < 3) return;
  if (auto p = t.find("://"); p != std::string_view::npos) {
    std::string_view url = t.substr(p >= 5 ? p - 5 : 0);
    while (!url.empty() && !std::isalpha(static_cast<unsigned char>(url.front()))) url.remove_prefix(1);
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return;  // no letter before "://": no scheme, no URL
    add(out, classify(url, Type::Url));
    size_t hs = scheme_end + 3;
    size_t he = url.find_first_of("/?#", hs);
    std::string_view host = url.substr(hs, he == std::string_view::npos ? std::string_view::npos : he - hs);
    if (auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
    add_host(out, host);
    // Indicators inside the path and query (?sha=<hash>, /redirect/evil.com/...).
    if (he != std::string_view::npos) {
      std::string_view rest = url.substr(he);
      size_t b = 0;
      for (size_t i = 0; i <= rest.size(); ++i) {
        if (i == rest.size() || rest[i] == '/' || rest[i] == '?' || rest[i] == '&' || rest[i] == '=' || rest[i] == '#') {
          if (i - b >= 7) token(rest.substr(b, i - b), out);
          b = i + 1;
        }
      }
    }
    return;
  }
  if (t.find('@') != std::string_view::npos) {
    if (auto e = classify(t, Type::Email)) {
      add(out, classify(e->value.substr(e->value.find('@') + 1), Type::Domain));
      add(out, std::move(e));
      return;
    }
  }
  if (t.find('/') != std::string_view::npos) {  // HIER_DIRECT/1.2.3.4, paths: look at the pieces
    size_t start = 0;
    while (start <= t.size()) {
      size_t slash = t.find('/', start);
      std::string_view piece = t.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
      if (piece.size() >= 3) token(piece, out);
      if (slash == std::string_view::npos) break;
      start = slash + 1;
    }
    return;
  }
  bool hex = std::all_of(t.begin(), t.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  if (hex && (t.size() == 32 || t.size() == 40 || t.size() == 64)) return add(out, classify(t, Type::Md5));
  if (t.find(':') != std::string_view::npos && t.find('.') == std::string_view::npos) {
    add(out, classify(t, Type::Ipv6));
    return;
  }
  if (t.find('.') != std::string_view::npos) add_host(out, t);
}

void tokens(std::string_view body, Candidates& out) {
  size_t i = 0, n = body.size();
  while (i < n) {
    while (i < n && is_sep(static_cast<unsigned char>(body[i]))) ++i;
    size_t start = i;
    while (i < n && !is_sep(static_cast<unsigned char>(body[i]))) ++i;
    if (i > start) token(body.substr(start, i - start), out);
  }
}

std::vector<std::string_view> fields(std::string_view s) {
  std::vector<std::string_view> f;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t b = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > b) f.push_back(s.substr(b, i - b));
  }
  return f;
}

}  // namespace

void add_token(std::string_view value, Candidates& out) { tokens(value, out); }

void extract(std::string_view body, Mode mode, Candidates& out) {
  out.items.clear();
  out.source_key.clear();
  if (mode == Mode::Syslog) {
    // The sender's host name is not an indicator of the event: sweep only what the message says.
    Event e = syslog::parse_message(body, false, syslog::KeepFields{}, 0);
    if (!e.headers.contains(syslog::kStatusHeader)) {
      tokens(e.body, out);
      return;
    }
  }
  if (mode == Mode::Squid) {
    // time elapsed client code/status bytes method URL user hierarchy/peer type
    auto f = fields(body);
    if (f.size() >= 7) {
      if (auto c = classify(f[2], Type::Ipv4)) out.source_key = c->value;
      token(f[6], out);
      if (f.size() >= 9) token(f[8], out);
      return;
    }
  } else if (mode == Mode::Combined) {
    // client ident user [time] "METHOD url proto" status bytes "referer" "agent"
    auto f = fields(body);
    if (!f.empty()) {
      if (auto c = classify(f[0], Type::Ipv4)) out.source_key = c->value;
      size_t q1 = body.find('"');
      size_t q2 = q1 == std::string_view::npos ? q1 : body.find('"', q1 + 1);
      if (q2 != std::string_view::npos) {
        auto req = fields(body.substr(q1 + 1, q2 - q1 - 1));
        if (req.size() >= 2) token(req[1], out);
        size_t r1 = body.find('"', q2 + 1);
        size_t r2 = r1 == std::string_view::npos ? r1 : body.find('"', r1 + 1);
        if (r2 != std::string_view::npos) token(body.substr(r1 + 1, r2 - r1 - 1), out);
        return;
      }
    }
  }
  tokens(body, out);  // body mode, or a line that does not fit the format
}

}  // namespace sluice::ioc
