#include "interceptors/ioc/indicator.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace sluice::ioc {
namespace {

std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}
bool all_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

const char* type_name(Type t) {
  switch (t) {
    case Type::Ipv4: return "ipv4";
    case Type::Ipv6: return "ipv6";
    case Type::Cidr: return "cidr";
    case Type::Domain: return "domain";
    case Type::Url: return "url";
    case Type::Md5: return "md5";
    case Type::Sha1: return "sha1";
    case Type::Sha256: return "sha256";
    case Type::Email: return "email";
  }
  return "?";
}

std::optional<Type> parse_type(std::string_view s) {
  std::string l = lower(s);
  if (l == "ip" || l == "ipv4" || l == "ipv4-addr") return Type::Ipv4;
  if (l == "ipv6" || l == "ipv6-addr") return Type::Ipv6;
  if (l == "cidr" || l == "net" || l == "network") return Type::Cidr;
  if (l == "domain" || l == "domain-name" || l == "hostname" || l == "fqdn") return Type::Domain;
  if (l == "url" || l == "uri") return Type::Url;
  if (l == "md5") return Type::Md5;
  if (l == "sha1" || l == "sha-1") return Type::Sha1;
  if (l == "sha256" || l == "sha-256") return Type::Sha256;
  if (l == "email" || l == "email-addr" || l == "mail") return Type::Email;
  return std::nullopt;
}

std::string refang(std::string_view in) {
  static constexpr std::pair<std::string_view, std::string_view> kMarkers[] = {
      {"[.]", "."},   {"(.)", "."},   {"{.}", "."}, {"[dot]", "."}, {"(dot)", "."},
      {"[:]", ":"},   {"[://]", "://"}, {"[@]", "@"}, {"[at]", "@"},  {"(at)", "@"}};
  // One pass; a marker (any case: [DOT], [At]) is replaced as soon as it ends the output, so one that
  // only appears once another is replaced ("[[.]]") goes too. Hence refang(refang(s)) == refang(s),
  // which a normalised value relies on, in linear time (no rescans of a long body).
  std::string s;
  s.reserve(in.size());
  for (char c : in) {
    s += c;
    bool again = c == ']' || c == ')' || c == '}';
    while (again) {
      again = false;
      for (auto [from, to] : kMarkers) {
        if (s.size() < from.size() || s.back() != from.back()) continue;
        std::string_view tail(s.data() + s.size() - from.size(), from.size());
        if (!std::equal(tail.begin(), tail.end(), from.begin(), [](char a, char b) {
              return std::tolower(static_cast<unsigned char>(a)) == b;
            }))
          continue;
        s.resize(s.size() - from.size());
        s += to;
        again = !s.empty() && (s.back() == ']' || s.back() == ')' || s.back() == '}');
        break;
      }
    }
  }
  std::string l = lower(s.substr(0, 6));
  if (l.starts_with("hxxps")) s.replace(0, 5, "https");
  else if (l.starts_with("hxxp")) s.replace(0, 4, "http");
  else if (l.starts_with("fxp")) s.replace(0, 3, "ftp");
  return s;
}

std::optional<std::string> normalize_ipv4(std::string_view s) {
  if (s.find('\0') != std::string_view::npos) return std::nullopt;  // inet_pton would stop there
  in_addr a{};
  std::string str(s);
  if (inet_pton(AF_INET, str.c_str(), &a) != 1) return std::nullopt;
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return std::string(buf);
}

std::optional<std::string> normalize_ipv6(std::string_view s) {
  if (s.find('\0') != std::string_view::npos) return std::nullopt;  // inet_pton would stop there
  std::string str(s);
  if (!str.empty() && str.front() == '[' && str.back() == ']') str = str.substr(1, str.size() - 2);
  in6_addr a{};
  if (inet_pton(AF_INET6, str.c_str(), &a) != 1) return std::nullopt;
  if (IN6_IS_ADDR_V4MAPPED(&a)) {
    char b4[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a.s6_addr[12], b4, sizeof b4);
    return std::string(b4);
  }
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, &a, buf, sizeof buf);
  return std::string(buf);
}

std::optional<std::string> normalize_domain(std::string_view s) {
  std::string d = lower(s);
  while (!d.empty() && d.back() == '.') d.pop_back();
  if (d.size() < 3 || d.size() > 253 || d.find('.') == std::string::npos) return std::nullopt;
  size_t label = 0;
  for (char c : d) {
    if (c == '.') {
      if (label == 0) return std::nullopt;
      label = 0;
      continue;
    }
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return std::nullopt;
    if (++label > 63) return std::nullopt;
  }
  if (label == 0) return std::nullopt;
  // The last label must not be all digits (that would be an IP address).
  std::string tld = d.substr(d.rfind('.') + 1);
  if (std::all_of(tld.begin(), tld.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::nullopt;
  return d;
}

std::optional<std::string> normalize_url(std::string_view s) {
  std::string u(s);
  size_t sep = u.find("://");
  if (sep == std::string::npos || sep == 0) return std::nullopt;
  std::string scheme = lower(u.substr(0, sep));
  if (scheme != "http" && scheme != "https" && scheme != "ftp") return std::nullopt;
  size_t host_start = sep + 3;
  size_t host_end = u.find_first_of("/?#", host_start);
  std::string authority = u.substr(host_start, host_end == std::string::npos ? std::string::npos : host_end - host_start);
  std::string rest = host_end == std::string::npos ? "/" : u.substr(host_end);
  // authority = [userinfo@]host[:port]. The port is digits only and the host (unless an IPv6
  // literal) has no ':' and no trailing dot, so that a normalised URL normalises to itself (feeds
  // and events agree) and "http://:80" is no URL.
  std::string lowered = lower(authority);
  size_t at = lowered.rfind('@');
  std::string userinfo = at == std::string::npos ? "" : lowered.substr(0, at + 1);
  std::string host = at == std::string::npos ? lowered : lowered.substr(at + 1);
  if (host.find(']') == std::string::npos) {
    std::string port;
    if (size_t colon = host.rfind(':'); colon != std::string::npos) {
      port = host.substr(colon + 1);
      host.resize(colon);
      if (!std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); })) return std::nullopt;
    }
    if (host.find(':') != std::string::npos) return std::nullopt;
    while (!host.empty() && host.back() == '.') host.pop_back();
    if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443") || (scheme == "ftp" && port == "21"))
      port.clear();
    if (!port.empty()) host += ":" + port;
  }
  if (host.empty()) return std::nullopt;
  host = userinfo + host;
  if (rest.empty()) rest = "/";
  return scheme + "://" + host + rest;
}

// RFC 5322 dot-atom local part: letters, digits and !#$%&'*+/=?^_`{|}~.- (no spaces, quotes,
// brackets or control bytes), at most 64 characters.
static bool valid_local_part(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && std::string_view("!#$%&'*+/=?^_`{|}~.-").find(static_cast<char>(c)) == std::string_view::npos)
      return false;
  return true;
}

std::optional<std::string> normalize_email(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return std::nullopt;
  if (!valid_local_part(s.substr(0, at))) return std::nullopt;
  auto domain = normalize_domain(s.substr(at + 1));
  if (!domain) return std::nullopt;
  return lower(s.substr(0, at)) + "@" + *domain;
}

std::optional<Indicator> classify(std::string_view raw_in, std::optional<Type> hint) {
  std::string raw = refang(raw_in);
  while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) raw.pop_back();
  size_t b = 0;
  while (b < raw.size() && std::isspace(static_cast<unsigned char>(raw[b]))) ++b;
  raw = raw.substr(b);
  if (raw.empty()) return std::nullopt;
  auto as = [&](Type t) -> std::optional<Indicator> {
    switch (t) {
      case Type::Ipv4:
      case Type::Ipv6: {
        if (auto v = normalize_ipv4(raw)) return Indicator{Type::Ipv4, *v};
        if (auto v = normalize_ipv6(raw)) return Indicator{v->find(':') == std::string::npos ? Type::Ipv4 : Type::Ipv6, *v};
        if (raw.find('/') != std::string::npos) return classify(raw, Type::Cidr);
        return std::nullopt;
      }
      case Type::Cidr: {
        size_t slash = raw.find('/');
        if (slash == std::string::npos) return std::nullopt;
        std::string addr = raw.substr(0, slash), bits = raw.substr(slash + 1);
        if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), ::isdigit)) return std::nullopt;
        int n = std::stoi(bits);
        if (auto v4 = normalize_ipv4(addr); v4 && n <= 32) return Indicator{Type::Cidr, *v4 + "/" + bits};
        if (auto v6 = normalize_ipv6(addr); v6 && n <= 128) return Indicator{Type::Cidr, *v6 + "/" + bits};
        return std::nullopt;
      }
      case Type::Domain:
        if (auto v = normalize_domain(raw)) return Indicator{Type::Domain, *v};
        return std::nullopt;
      case Type::Url:
        if (auto v = normalize_url(raw)) return Indicator{Type::Url, *v};
        return std::nullopt;
      case Type::Email:
        if (auto v = normalize_email(raw)) return Indicator{Type::Email, *v};
        return std::nullopt;
      case Type::Md5:
      case Type::Sha1:
      case Type::Sha256: {
        if (!all_hex(raw)) return std::nullopt;
        std::string h = lower(raw);
        if (h.size() == 32) return Indicator{Type::Md5, h};
        if (h.size() == 40) return Indicator{Type::Sha1, h};
        if (h.size() == 64) return Indicator{Type::Sha256, h};
        return std::nullopt;
      }
    }
    return std::nullopt;
  };
  if (hint) return as(*hint);
  for (Type t : {Type::Url, Type::Cidr, Type::Ipv4, Type::Email, Type::Sha256, Type::Domain})
    if (auto i = as(t)) return i;
  return std::nullopt;
}

}  // namespace sluice::ioc
