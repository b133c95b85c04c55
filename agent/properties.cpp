#include "agent/properties.hpp"

#include <map>

namespace sluice {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\f'; }

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes escapes of a key or value. Malformed \u is reported and kept literally.
std::string unescape(std::string_view s, const Location& where, Diagnostics& diag) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\' || i + 1 == s.size()) {
      out += c;
      continue;
    }
    char e = s[++i];
    switch (e) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        uint32_t cp = 0;
        bool ok = i + 4 < s.size();
        for (int k = 1; ok && k <= 4; ++k) {
          int h = ok ? hex(s[i + k]) : -1;
          if (h < 0) ok = false;
          cp = cp * 16 + static_cast<uint32_t>(h < 0 ? 0 : h);
        }
        if (!ok) {
          diag.error(where, "", "malformed \\uxxxx escape (expected four hex digits)");
          out += "\\u";
        } else {
          append_utf8(out, cp);
          i += 4;
        }
        break;
      }
      default: out += e;
    }
  }
  return out;
}

// True if the line ends with an odd number of backslashes (a continuation).
bool continues(std::string_view line) {
  size_t n = 0;
  for (size_t i = line.size(); i > 0 && line[i - 1] == '\\'; --i) ++n;
  return n % 2 == 1;
}

}  // namespace

std::vector<ConfigEntry> parse_properties(std::string_view text, const std::string& file, Diagnostics& diag) {
  // Split into natural lines (\n, \r, \r\n).
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || text[i] == '\r') {
      lines.push_back(text.substr(start, i - start));
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < text.size()) lines.push_back(text.substr(start));

  std::vector<ConfigEntry> out;
  std::map<std::string, size_t> seen;
  for (size_t n = 0; n < lines.size(); ++n) {
    std::string_view first = lines[n];
    size_t b = 0;
    while (b < first.size() && is_ws(first[b])) ++b;
    if (b == first.size() || first[b] == '#' || first[b] == '!') continue;
    Location where{file, static_cast<int>(n + 1)};
    // Join continuation lines into one logical line.
    std::string logical(first.substr(b));
    while (continues(logical) && n + 1 < lines.size()) {
      logical.pop_back();
      std::string_view next = lines[++n];
      size_t nb = 0;
      while (nb < next.size() && is_ws(next[nb])) ++nb;
      logical.append(next.substr(nb));
    }
    if (continues(logical)) logical.pop_back();  // continuation at end of file
    // Key: up to the first unescaped separator.
    size_t i = 0;
    while (i < logical.size()) {
      char c = logical[i];
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '=' || c == ':' || is_ws(c)) break;
      ++i;
    }
    size_t key_end = std::min(i, logical.size());
    while (i < logical.size() && is_ws(logical[i])) ++i;
    if (i < logical.size() && (logical[i] == '=' || logical[i] == ':')) ++i;
    while (i < logical.size() && is_ws(logical[i])) ++i;
    std::string key = unescape(std::string_view(logical).substr(0, key_end), where, diag);
    std::string value = unescape(std::string_view(logical).substr(i), where, diag);
    // Trailing whitespace stays part of the value, as in Java; getters trim where Flume does.
    auto it = seen.find(key);
    if (it != seen.end()) {
      diag.warning(where, key,
                   "defined again (first at line " + std::to_string(out[it->second].where.line) +
                       "); the last value wins, as in Java properties");
      out[it->second].value = std::move(value);
      out[it->second].where = where;
      continue;
    }
    seen[key] = out.size();
    out.push_back({std::move(key), std::move(value), std::move(where)});
  }
  return out;
}

}  // namespace sluice
