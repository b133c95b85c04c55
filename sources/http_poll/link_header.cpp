#include "sources/http_poll/link_header.hpp"

#include <boost/url.hpp>
#include <cctype>

namespace sluice::http_poll {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// True if the parameter list (";"-separated, after the <uri>) has rel containing "next".
bool rel_is_next(std::string_view params) {
  size_t i = 0;
  while (i < params.size()) {
    size_t semi = params.find(';', i);
    // A quoted value may contain ';' — skip over quotes when looking for the separator.
    size_t q = params.find('"', i);
    if (q != std::string_view::npos && (semi == std::string_view::npos || q < semi)) {
      size_t close = params.find('"', q + 1);
      semi = close == std::string_view::npos ? std::string_view::npos : params.find(';', close);
    }
    std::string_view param = trim(params.substr(i, semi == std::string_view::npos ? std::string_view::npos : semi - i));
    i = semi == std::string_view::npos ? params.size() : semi + 1;
    size_t eq = param.find('=');
    if (eq == std::string_view::npos || !iequals(trim(param.substr(0, eq)), "rel")) continue;
    std::string_view value = trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    size_t p = 0;
    while (p < value.size()) {
      size_t sp = value.find(' ', p);
      std::string_view type = value.substr(p, sp == std::string_view::npos ? std::string_view::npos : sp - p);
      if (iequals(type, "next")) return true;
      p = sp == std::string_view::npos ? value.size() : sp + 1;
    }
    return false;  // only the first rel parameter counts (RFC 8288 3.3)
  }
  return false;
}

}  // namespace

std::optional<std::string> next_link(std::string_view header) {
  size_t i = 0;
  while (i < header.size()) {
    size_t open = header.find('<', i);
    if (open == std::string_view::npos) break;
    size_t close = header.find('>', open);
    if (close == std::string_view::npos) break;
    std::string_view uri = header.substr(open + 1, close - open - 1);
    // Parameters run to the next comma outside quotes.
    size_t end = close + 1;
    bool quoted = false;
    for (; end < header.size(); ++end) {
      if (header[end] == '"')
        quoted = !quoted;
      else if (header[end] == ',' && !quoted)
        break;
    }
    if (rel_is_next(header.substr(close + 1, end - close - 1))) return std::string(trim(uri));
    i = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string> resolve_url(const std::string& base, const std::string& reference) {
  auto b = boost::urls::parse_uri(base);
  auto r = boost::urls::parse_uri_reference(reference);
  if (!b || !r) return std::nullopt;
  boost::urls::url out;
  if (auto rv = boost::urls::resolve(*b, *r, out); !rv) return std::nullopt;
  return std::string(out.buffer());
}

}  // namespace sluice::http_poll
