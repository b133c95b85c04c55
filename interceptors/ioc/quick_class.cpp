// The hot path's side of indicator.hpp: classify_view() and the views it is made of (domains,
// URLs and their authority, strict IPv4), which answer without copying what classify() answers
// with a normalised copy. The normalisers themselves are in indicator.cpp.
#include "interceptors/ioc/indicator.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::ioc {
namespace {

// Character classes by table (the hot path classifies every candidate character by character).
enum : uint8_t { kLabelChar = 1, kUpperChar = 2, kDigitChar = 4, kHexChar = 8 };
constexpr std::array<uint8_t, 256> kChar = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = kLabelChar | (c <= 'f' ? kHexChar : 0);
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = kLabelChar | kUpperChar | (c <= 'F' ? kHexChar : 0);
  for (int c = '0'; c <= '9'; ++c) t[c] = kLabelChar | kDigitChar | kHexChar;
  t['-'] = t['_'] = kLabelChar;
  return t;
}();
uint8_t char_class(char c) { return kChar[static_cast<unsigned char>(c)]; }
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_upper(char c) { return char_class(c) & kUpperChar; }
bool is_hex(char c) { return char_class(c) & kHexChar; }

}  // namespace

// True when refang() or classify()'s trimming could change s: every defanging marker starts with
// '[', '(' or '{', and the scheme forms hxxp/fxp are rewritten only at the start.
bool defanged_scheme(std::string_view s) {
  if (s.empty() || ((s[0] | 0x20) != 'h' && (s[0] | 0x20) != 'f')) return false;  // most values
  auto starts = [&](std::string_view p) {
    if (s.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i)
      if ((s[i] | 0x20) != p[i]) return false;
    return true;
  };
  return starts("hxxp") || starts("fxp");
}

namespace {
bool may_need_refang(std::string_view s) {
  if (s.empty() || is_space(s.front()) || is_space(s.back())) return true;
  for (char c : s)
    if (c == '[' || c == '(' || c == '{') return true;
  return defanged_scheme(s);
}

// The kind of each authority byte for scan_authority().
enum : uint8_t { kAuthEnd = 1, kAuthOdd = 2, kAuthAt = 4, kAuthColon = 8, kAuthNotName = 16 };
constexpr std::array<uint8_t, 256> kAuth = [] {
  std::array<uint8_t, 256> t{};
  for (size_t c = 0; c < 256; ++c) t[c] = kAuthNotName;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = 0;
  for (int c = '0'; c <= '9'; ++c) t[c] = 0;
  t['.'] = t['-'] = t['_'] = 0;
  t['/'] = t['?'] = t['#'] = kAuthEnd;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = kAuthOdd | kAuthNotName;
  t[']'] = kAuthOdd | kAuthNotName;
  t['@'] = kAuthOdd | kAuthAt | kAuthNotName;
  t[':'] = kAuthOdd | kAuthColon | kAuthNotName;
  return t;
}();

#if defined(__SSE2__)
// Bit i: s[i] == '.', for 1 <= n <= 64, by 16-byte compares; every load stays inside s (the last
// one overlaps the one before it; a short s is first copied by two overlapping loads).
uint64_t dot_mask(const char* s, size_t n) {
  auto dots = [](const char* p) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return static_cast<uint64_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.'))));
  };
  if (n >= 16) {
    uint64_t m = 0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) m |= dots(s + i) << i;
    if (i < n) m |= dots(s + n - 16) << (n - 16);
    return m;
  }
  char buf[16] = {};
  auto copy = [&](size_t w) {  // s[0, w) and s[n - w, n): all of s when w <= n <= 2w
    char a[8], b[8];
    std::memcpy(a, s, w);
    std::memcpy(b, s + n - w, w);
    std::memcpy(buf, a, w);
    std::memcpy(buf + n - w, b, w);
  };
  if (n >= 8) copy(8);
  else if (n >= 4) copy(4);
  else
    for (size_t i = 0; i < n; ++i) buf[i] = s[i];
  return dots(buf);
}
#endif

// The scheme part of a URL in normal form ("http://", "https://", "ftp://"): its length, or 0.
size_t normal_scheme(std::string_view s) {
  return s.starts_with("http://") ? 7 : s.starts_with("https://") ? 8 : s.starts_with("ftp://") ? 6 : 0;
}

}  // namespace

Authority scan_authority(std::string_view s, size_t from) {
  uint8_t any = 0;
  size_t i = from;
  auto kind = [&](size_t j) { return kAuth[static_cast<unsigned char>(s[j])]; };
  for (uint8_t k; i + 4 <= s.size() && !((k = kind(i) | kind(i + 1) | kind(i + 2) | kind(i + 3)) & kAuthEnd); i += 4) any |= k;
  for (uint8_t k; i < s.size() && !((k = kind(i)) & kAuthEnd); ++i) any |= k;
  Authority a;
  a.end = i < s.size() ? i : std::string_view::npos;
  a.plain = !(any & kAuthOdd);
  a.at = any & kAuthAt;
  a.colon = any & kAuthColon;
  a.name = !(any & kAuthNotName);
  return a;
}

QuickClass domain_view(std::string_view s, bool plain) {
  while (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.size() < 3 || s.size() > 253) return {QuickClass::NotIt};
  size_t label = 0, dots = 0;
#if defined(__SSE2__)
  if (plain && s.size() <= 63) {  // as below, from the dots' bit mask; no label is over 63 bytes
    uint64_t m = dot_mask(s.data(), s.size());
    if (m == 0 || (m & 1) || (m & (m >> 1))) return {QuickClass::NotIt};  // no dot, or an empty label
    size_t from = 64 - static_cast<size_t>(__builtin_clzll(m));       // the last label (not empty)
    size_t i = from;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == s.size()) return {QuickClass::NotIt};
    for (; m; m &= m - 1) ++dots;
    return {QuickClass::Normal, Type::Domain, s, 0, static_cast<uint32_t>(dots + 1)};
  }
#endif
  if (plain) {  // the bytes are known to be fine: only the labels' lengths are left, checked at the dots
    size_t from = 0;  // where the current label starts
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '.') continue;
      if (i == from || i - from > 63) return {QuickClass::NotIt};
      from = i + 1;
      ++dots;
    }
    size_t i = from;  // the last label (not empty: trailing dots are trimmed) must not be all digits
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (dots == 0 || s.size() - from > 63 || i == s.size()) return {QuickClass::NotIt};
    return {QuickClass::Normal, Type::Domain, s, 0, static_cast<uint32_t>(dots + 1)};
  }
  uint8_t any = 0, last_all = kDigitChar;  // classes seen anywhere; all of the last label
  for (char c : s) {
    uint8_t k = char_class(c);
    if (k & kLabelChar) {  // the common case first: one test for most bytes
      if (++label > 63) return {QuickClass::NotIt};
      any |= k;
      last_all &= k;
      continue;
    }
    if (c != '.' || label == 0) return {QuickClass::NotIt};
    label = 0;
    ++dots;
    last_all = kDigitChar;
  }
  if (dots == 0 || label == 0 || (last_all & kDigitChar)) return {QuickClass::NotIt};
  if (any & kUpperChar) return {QuickClass::NeedsCopy};
  return {QuickClass::Normal, Type::Domain, s, 0, static_cast<uint32_t>(dots + 1)};
}

QuickClass url_view(std::string_view s, const Authority& a) {
  size_t hs = normal_scheme(s);
  if (hs == 0) return {QuickClass::NeedsCopy};  // other case or scheme: let classify() decide
  if (a.end == std::string_view::npos || a.end == hs || s[a.end - 1] == '.' || !a.plain) return {QuickClass::NeedsCopy};
  return {QuickClass::Normal, Type::Url, s};
}

bool parse_ipv4(std::string_view s, uint32_t& out) {
  // Octet by octet with no loop state (the sweep calls this for every host-like token): 1-3
  // digits, no leading zero, at most 255, separated by single dots, nothing else. s is first
  // copied into a zeroed buffer (two overlapping loads) so that no digit needs a bounds check.
  size_t n = s.size();
  if (n < 7 || n > 15) return false;
  unsigned char buf[20] = {};  // 15 bytes and what a 3-digit look-ahead reads past them: NUL, no digit
  if (n >= 8) {
    uint64_t a, b;
    std::memcpy(&a, s.data(), 8);
    std::memcpy(&b, s.data() + n - 8, 8);
    std::memcpy(buf, &a, 8);
    std::memcpy(buf + n - 8, &b, 8);
  } else {
    uint32_t a, b;
    std::memcpy(&a, s.data(), 4);
    std::memcpy(&b, s.data() + 3, 4);
    std::memcpy(buf, &a, 4);
    std::memcpy(buf + 3, &b, 4);
  }
  const unsigned char* p = buf;
  uint32_t value = 0;
  for (int k = 0; k < 4; ++k) {
    if (k > 0 && *p++ != '.') return false;
    unsigned d0 = p[0] - 48u, d1 = p[1] - 48u, d2 = p[2] - 48u, octet;
    if (d0 > 9) return false;
    if (d1 > 9) {
      octet = d0;
      p += 1;
    } else if (d0 == 0) {
      return false;  // leading zero
    } else if (d2 > 9) {
      octet = d0 * 10 + d1;
      p += 2;
    } else {
      octet = d0 * 100 + d1 * 10 + d2;
      if (octet > 255) return false;
      p += 3;
    }
    value = value << 8 | octet;
  }
  if (p != buf + n) return false;
  out = value;
  return true;
}

QuickClass classify_view(std::string_view raw, Type hint, bool no_markers) {
  if (no_markers ? raw.empty() || defanged_scheme(raw) : may_need_refang(raw)) return {QuickClass::NeedsCopy};
  switch (hint) {
    case Type::Ipv4:
    case Type::Ipv6: {
      uint32_t v;
      if (parse_ipv4(raw, v)) return {QuickClass::Normal, Type::Ipv4, raw, v};
      // IPv6 (and IPv4-mapped) need a ':', a CIDR a '/'; both are made of hex digits, ':', '.' and
      // '/' only, so anything else ("2025-11-23T00:00:00.000Z") is no address.
      bool colon_or_slash = false;
      for (char c : raw) {
        if (c == ':' || c == '/') colon_or_slash = true;
        else if (!is_hex(c) && c != '.') return {QuickClass::NotIt};
      }
      return colon_or_slash ? QuickClass{QuickClass::NeedsCopy} : QuickClass{QuickClass::NotIt};
    }
    case Type::Domain: return domain_view(raw);
    case Type::Url: {
      size_t hs = normal_scheme(raw);
      return hs ? url_view(raw, scan_authority(raw, hs)) : QuickClass{QuickClass::NeedsCopy};
    }
    case Type::Md5:
    case Type::Sha1:
    case Type::Sha256: {
      if (raw.size() != 32 && raw.size() != 40 && raw.size() != 64) return {QuickClass::NotIt};
      bool upper = false;
      for (char c : raw) {
        if (!is_hex(c)) return {QuickClass::NotIt};
        upper |= is_upper(c);
      }
      if (upper) return {QuickClass::NeedsCopy};
      Type t = raw.size() == 32 ? Type::Md5 : raw.size() == 40 ? Type::Sha1 : Type::Sha256;
      return {QuickClass::Normal, t, raw};
    }
    case Type::Cidr:
    case Type::Email: return {QuickClass::NeedsCopy};
  }
  return {QuickClass::NeedsCopy};
}

}  // namespace sluice::ioc
