#include "interceptors/ioc/extract.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "interceptors/ioc/shape_scan.hpp"
#include "sources/syslog/syslog_parser.hpp"

namespace sluice::ioc {
namespace {

// Token separators (shape_scan.hpp: the scan ends its token reports at the same ones).
constexpr std::array<bool, 256> kSep = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : kTokenSeparators) t[c] = true;
  return t;
}();
bool is_sep(char c) { return kSep[static_cast<unsigned char>(c)]; }

// What a character tells about its token, for the one pass in token().
// kNonHex is set for every character that is not a hex digit, so that the OR of a token's classes
// alone tells everything (a hash is a token without kNonHex). kNotName: not what a domain in normal
// form is made of (then domain_view() need not look at each byte again). kNotDotted: not a digit or
// '.' (a token without it is an IPv4 address or nothing).
enum : uint16_t {
  kNonHex = 1, kDot = 2, kSlash = 4, kAt = 8, kColon = 16, kMarker = 32, kQuery = 64, kNotName = 128, kNotDotted = 256
};
constexpr std::array<uint16_t, 256> kClass = [] {
  std::array<uint16_t, 256> t{};
  for (size_t c = 0; c < 256; ++c) t[c] = kNonHex | kNotName;
  for (unsigned char c : std::string_view("ghijklmnopqrstuvwxyz-_")) t[c] = kNonHex;
  for (unsigned char c : std::string_view("0123456789abcdef")) t[c] = 0;
  for (unsigned char c : std::string_view("ABCDEF")) t[c] = kNotName;
  t['.'] = kNonHex | kDot;
  t['/'] = kNonHex | kNotName | kSlash;
  t['@'] = kNonHex | kNotName | kAt;
  t[':'] = kNonHex | kNotName | kColon;
  for (unsigned char c : std::string_view("?&=#")) t[c] = kNonHex | kNotName | kQuery;  // with '/': where a URL path is cut
  // What refang() or classify()'s trimming may act on (tokens of field modes may hold whitespace).
  for (unsigned char c : std::string_view("[({ \t\n\v\f\r")) t[c] = kNonHex | kNotName | kMarker;
  for (size_t c = 0; c < 256; ++c)
    if (c != '.' && (c < '0' || c > '9')) t[c] |= kNotDotted;
  return t;
}();
// kClass, plus a bit for the separators that end a token (the widening never adds a separator's
// class; field modes' tokens may hold separators, whose class class_of() needs).
constexpr uint16_t kSepBit = 512;
constexpr std::array<uint16_t, 256> kToken = [] {
  std::array<uint16_t, 256> t{};
  for (size_t c = 0; c < 256; ++c) t[c] = kClass[c] | (kSep[c] ? kSepBit : 0);
  return t;
}();
// kToken of two bytes at once, indexed by a little-endian 16-bit load of them: the widening looks up
// pairs (half the lookups; the pairs of token bytes touch a few KiB of its 128). Not constexpr:
// clang's constant evaluator gives up on 65536 entries (it is then filled before main()).
const std::array<uint16_t, 65536> kPair = [] {
  std::array<uint16_t, 65536> t{};
  for (size_t i = 0; i < t.size(); ++i) t[i] = kToken[i & 255] | kToken[i >> 8];
  return t;
}();
uint64_t load64(const unsigned char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
uint32_t load32(const unsigned char* p) {
  uint32_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
uint16_t load16(const unsigned char* p) {
  uint16_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
bool is_alpha(char c) { return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

void add(Candidates& out, Type type, std::string_view value, uint32_t ipv4 = 0, uint32_t labels = 0) {
  for (const auto& x : out.items)
    if (x.type == type && x.value == value) return;
  if (type == Type::Ipv4 && ipv4 == 0) parse_ipv4(value, ipv4);
  out.items.push_back({type, value, ipv4, labels});
}

// Adds raw classified as classify(raw, hint) would, given q = classify_view(raw, hint, ...); false if
// it is none. Values already in normal form are added as views of raw; only values that normalising
// changes are copied.
bool add_quick(Candidates& out, std::string_view raw, Type hint, const QuickClass& q) {
  if (q.kind == QuickClass::NotIt) return false;
  if (q.kind == QuickClass::Normal) {
    add(out, q.type, q.value, q.ipv4, q.labels);
    return true;
  }
  auto i = classify(raw, hint);
  if (!i) return false;
  add(out, i->type, out.keep(i->value));
  return true;
}
bool add_as(Candidates& out, std::string_view raw, Type hint, bool no_markers) {
  return add_quick(out, raw, hint, classify_view(raw, hint, no_markers));
}

// colon: host may hold a ':' (false when the caller knows it has none). plain: the caller knows it
// holds only lower-case letters, digits, '.', '-' and '_' (domain_view()'s `plain`).
void add_host(Candidates& out, std::string_view host, bool no_markers, bool colon = true, bool plain = false) {
  if (host.empty()) return;
  if (host.front() == '[') {  // [v6]:port
    size_t close = host.find(']');
    add_as(out, host.substr(1, close == std::string_view::npos ? host.size() - 1 : close - 1), Type::Ipv6, no_markers);
    return;
  }
  if (!colon && no_markers && !defanged_scheme(host)) {
    // What add_as() would find, without its checks for IPv6 and CIDR forms (they need a ':' or a
    // '/': token() has split at '/'), and without the domain attempt when the last label is all
    // digits (no name ends so: "1763856000.123", "1.2.3.400").
    uint32_t v4;
    if (parse_ipv4(host, v4)) {
      add(out, Type::Ipv4, host, v4);
      return;
    }
    size_t e = host.size();
    while (e > 0 && host[e - 1] == '.') --e;
    size_t b = e;
    while (b > 0 && host[b - 1] >= '0' && host[b - 1] <= '9') --b;
    if (b < e && b > 0 && host[b - 1] == '.') return;
    add_quick(out, host, Type::Domain, domain_view(host, plain));  // = add_as(..., true): no defanged scheme
    return;
  }
  size_t first = std::string_view::npos, colons = 0;  // host:port loses its port; IPv6 keeps its colons
  for (size_t i = 0; colon && i < host.size(); ++i)
    if (host[i] == ':' && colons++ == 0) first = i;
  if (colons == 1) host = host.substr(0, first);
  if (add_as(out, host, Type::Ipv4, no_markers)) return;
  if (colons < 2) add_as(out, host, Type::Domain, no_markers);  // a name never holds a ':', even refanged
}

// The kClass bits of any of a token's characters.
struct TokenClass {
  uint16_t any = 0;
  void add(unsigned k) { any |= static_cast<uint16_t>(k); }
};
// The kClass bits of t, by pairs from 8- or 4-byte loads inside t (the last overlapping the one
// before it): a piece is classified again when pieces() sends it to token().
unsigned class_of(std::string_view t) {
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  size_t n = t.size();
  auto pairs8 = [](uint64_t w) { return kPair[w & 0xffff] | kPair[(w >> 16) & 0xffff] | kPair[(w >> 32) & 0xffff] | kPair[w >> 48]; };
  auto pairs4 = [](uint32_t w) { return kPair[w & 0xffff] | kPair[w >> 16]; };
  unsigned k = 0;
  if (n >= 8) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) k |= pairs8(load64(p + i));
    if (i < n) k |= pairs8(load64(p + n - 8));
  } else if (n >= 4) {
    k = pairs4(load32(p)) | pairs4(load32(p + n - 4));
  } else {
    for (size_t i = 0; i < n; ++i) k |= kToken[p[i]];
  }
  return k & ~unsigned{kSepBit};
}

// known: the class of t as given, if the caller has computed it while finding t. shapes: without
// kShapeUrl / kShapeHash no URL / hash candidates are added (the sweeper loaded none to match).
// kReference: the plain scalar code for extract_every_token(), which the scan-driven path (with its
// SSE2 shortcuts) is compared to by the tests and the fuzzer.
template <bool kReference = false>
void token(std::string_view t, Candidates& out, const TokenClass* known = nullptr, unsigned shapes = kAllShapes);
// token() past its trimming and class, for a t of 3 bytes or more whose class is `any`.
template <bool kReference>
void classify_token(std::string_view t, Candidates& out, unsigned any, unsigned shapes);

// A piece p of pieces(), given whether it holds a '.', ':', '@' or marker (cand): token() on
// it if it can hold a candidate: `min` bytes or more, with such a byte, or a hash (32, 40 or 64 hex
// digits once token() has trimmed trailing ']', the one byte it trims that has no class bit).
template <bool kReference>
[[gnu::noinline]] void piece(std::string_view p, bool cand, size_t min, Candidates& out, unsigned shapes) {
  if (p.size() < min) return;
  if (!cand) {
    std::string_view h = p;
    while (!h.empty() && h.back() == ']') h.remove_suffix(1);
    if (h.size() != 32 && h.size() != 40 && h.size() != 64) return;
    if (class_of(h) & kNonHex) return;
  }
  if constexpr (kReference) {
    token<true>(p, out, nullptr, shapes);
  } else {
    TokenClass whole{static_cast<uint16_t>(class_of(p))};
    token<false>(p, out, &whole, shapes);
  }
}

// token() on each piece of s (cut at the bytes with a `cut` class bit) that can hold a candidate
// (piece()): token() finds nothing in the other pieces, and one pass over s tells them apart.
void pieces_reference(std::string_view s, uint8_t cut, size_t min, Candidates& out, unsigned shapes) {
  size_t b = 0;
  unsigned any = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    unsigned k = i < s.size() ? kClass[static_cast<unsigned char>(s[i])] : cut;
    if (!(k & cut)) {
      any |= k;
      continue;
    }
    piece<true>(s.substr(b, i - b), any & (kDot | kColon | kAt | kMarker), min, out, shapes);
    b = i + 1;
    any = 0;
  }
}

#if defined(__SSE2__)
// pieces_reference() 16 bytes at a time: URL paths are long and most of their pieces hold nothing,
// so a byte loop with a table lookup per byte was a fifth of the sweep's instructions.
// Bit i of cut / cand: byte i of p[0, 16) has the class bit kSlash (or kQuery with kQueryCuts) /
// kDot, kColon, kAt or kMarker (the bytes of kClass with those bits, compared one by one); markers
// only with kMarkers (the caller knows whether s has any).
template <bool kQueryCuts, bool kMarkers>
[[gnu::always_inline]] inline uint32_t piece_bits(const unsigned char* p) {
  __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  auto eq = [&](char c) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(c)); };
  __m128i c = eq('/');
  if constexpr (kQueryCuts) c = _mm_or_si128(_mm_or_si128(c, eq('?')), _mm_or_si128(_mm_or_si128(eq('&'), eq('=')), eq('#')));
  __m128i d = _mm_or_si128(_mm_or_si128(eq('.'), eq(':')), eq('@'));
  if constexpr (kMarkers) {
    // '\t'..'\r' in one signed compare: adding 0x77 maps them, and only them, to -128..-124.
    __m128i ws = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(0x77)), _mm_set1_epi8(-123));
    d = _mm_or_si128(_mm_or_si128(d, eq('[')), _mm_or_si128(_mm_or_si128(eq('('), eq('{')), _mm_or_si128(eq(' '), ws)));
  }
  return static_cast<uint32_t>(_mm_movemask_epi8(c)) | static_cast<uint32_t>(_mm_movemask_epi8(d)) << 16;
}

// Any length, in order, piece by piece from each block's bits.
template <bool kQueryCuts, bool kMarkers>
void pieces_blocks(std::string_view s, size_t min, Candidates& out, unsigned shapes) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), b = 0;  // the current piece starts at b
  bool cand = false;           // the current piece has a cand byte before this block
  for (size_t i = 0; i < n; i += 16) {
    uint32_t bits;
    if (i + 16 <= n) {
      bits = piece_bits<kQueryCuts, kMarkers>(p + i);
    } else if (n >= 16) {  // the last 16 bytes, less those already seen: no read past s
      unsigned seen = static_cast<unsigned>(i + 16 - n);
      bits = piece_bits<kQueryCuts, kMarkers>(p + n - 16);
      bits = (bits >> seen & 0xffff & (0xffffu >> seen)) | ((bits >> 16) >> seen) << 16;
    } else {
      unsigned char buf[16] = {};  // NUL has neither bit
      std::memcpy(buf, p, n);
      bits = piece_bits<kQueryCuts, kMarkers>(buf);
    }
    uint32_t cut = bits & 0xffff, c = bits >> 16;
    for (; cut; cut &= cut - 1) {  // most pieces are short: rejected on their length alone
      unsigned j = static_cast<unsigned>(__builtin_ctz(cut));
      size_t e = i + j;
      if (e - b >= min) piece<false>(std::string_view(s.data() + b, e - b), cand || (c & ((1u << j) - 1)), min, out, shapes);
      b = e + 1;
      cand = false;
      c &= ~((2u << j) - 1);
    }
    cand |= c != 0;
  }
  piece<false>(std::string_view(s.data() + b, n - b), cand, min, out, shapes);
}

// Up to 64 bytes (URL paths, "HIER_DIRECT/1.2.3.4"): the bits of all of s in two masks, and only
// the pieces with a cand byte are visited, unless a piece is long enough for a hash (32 bytes
// without a cut): then pieces_blocks() visits all in order (the candidates' order must not change).
template <bool kQueryCuts, bool kMarkers>
void pieces_sse2(std::string_view s, size_t min, Candidates& out, unsigned shapes) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  if (n > 64) return pieces_blocks<kQueryCuts, kMarkers>(s, min, out, shapes);
  uint64_t cut = 0, cand = 0;
  auto put = [&](uint32_t bits, size_t at) {
    cut |= static_cast<uint64_t>(bits & 0xffff) << at;
    cand |= static_cast<uint64_t>(bits >> 16) << at;
  };
  if (n >= 16) {  // 16-byte loads inside s, the last one overlapping the one before
    size_t i = 0;
    for (; i + 16 <= n; i += 16) put(piece_bits<kQueryCuts, kMarkers>(p + i), i);
    if (i < n) put(piece_bits<kQueryCuts, kMarkers>(p + n - 16), n - 16);
  } else {
    unsigned char buf[16] = {};  // NUL has neither bit
    std::memcpy(buf, p, n);
    put(piece_bits<kQueryCuts, kMarkers>(buf), 0);
  }
  if (n >= 32) {
    uint64_t run = ~cut & (n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1);
    for (unsigned w : {1, 2, 4, 8, 16}) run &= run >> w;  // bit i: s[i, i + 32) holds no cut
    if (run) return pieces_blocks<kQueryCuts, kMarkers>(s, min, out, shapes);
  }
  while (cand) {
    unsigned q = static_cast<unsigned>(__builtin_ctzll(cand));
    uint64_t before = cut & ((uint64_t{1} << q) - 1), after = cut >> q;
    size_t b = before ? 64 - static_cast<size_t>(__builtin_clzll(before)) : 0;
    size_t e = after ? q + static_cast<size_t>(__builtin_ctzll(after)) : n;
    if (e - b >= min) piece<false>(std::string_view(s.data() + b, e - b), true, min, out, shapes);
    cand = e >= 63 ? 0 : cand & (~uint64_t{0} << (e + 1));
  }
}
#endif

template <bool kReference>
void pieces(std::string_view s, uint8_t cut, size_t min, bool markers, Candidates& out, unsigned shapes) {
#if defined(__SSE2__)
  if constexpr (!kReference) {
    if (cut == kSlash) markers ? pieces_sse2<false, true>(s, min, out, shapes) : pieces_sse2<false, false>(s, min, out, shapes);
    else markers ? pieces_sse2<true, true>(s, min, out, shapes) : pieces_sse2<true, false>(s, min, out, shapes);
    return;
  }
#endif
  (void)markers;
  pieces_reference(s, cut, min, out, shapes);
}

// Inline: the shortcut for digits and dots (timestamps, IPv4) then costs no call.
template <bool kReference>
inline void token(std::string_view t, Candidates& out, const TokenClass* known, unsigned shapes) {
  size_t given = t.size();
  while (!t.empty() && (t.back() == '.' || t.back() == ':' || t.back() == ']' || t.back() == '[')) t.remove_suffix(1);
  // A leading ':' is punctuation ("host: evil.com" cut oddly), unless it opens an IPv6 "::".
  while (!t.empty() && (t.front() == '[' || (t.front() == ':' && !t.starts_with("::")))) t.remove_prefix(1);
  if (t.size() < 3) return;
  // One pass over the token for what decides its kind (cheaper than a find() per question).
  TokenClass cls;
  if (known && t.size() == given) cls = *known;
  else if constexpr (!kReference) cls.add(class_of(t));
  else
    for (char c : t) cls.add(kClass[static_cast<unsigned char>(c)]);
  unsigned any = cls.any;
  if (!kReference && (any & kDot) && !(any & kNotDotted)) {
    // Digits and dots, one at least ("1763856000.123", "10.1.2.3"): what add_host() finds in them is
    // an IPv4 address or nothing (no name ends in an all-digit label); without a dot it may be a hash.
    if (uint32_t v4; parse_ipv4(t, v4)) add(out, Type::Ipv4, t, v4);
    return;
  }
  classify_token<kReference>(t, out, any, shapes);
}

template <bool kReference>
void classify_token(std::string_view t, Candidates& out, unsigned any, unsigned shapes) {
  bool at = any & kAt, slash = any & kSlash, colon = any & kColon, dot = any & kDot, hex = !(any & kNonHex);
  bool no_markers = !(any & kMarker);
  size_t scheme = std::string_view::npos;
  if (colon && slash) {
    if constexpr (kReference) {
      scheme = t.find("://");
    } else {  // "://" is near the start of a URL: a byte loop beats find()'s memchr() call
      for (size_t i = 0; i + 2 < t.size(); ++i)
        if (t[i] == ':' && t[i + 1] == '/' && t[i + 2] == '/') {
          scheme = i;
          break;
        }
    }
  }
  if (scheme != std::string_view::npos) {
    std::string_view url = t.substr(scheme >= 5 ? scheme - 5 : 0);
    while (!url.empty() && !is_alpha(url.front())) url.remove_prefix(1);
    // The "://" found, unless the trimming went past it (no letter before it): then a later one.
    size_t cut = static_cast<size_t>(url.data() - t.data());
    size_t scheme_end = !kReference && cut <= scheme ? scheme - cut : url.find("://");
    if (scheme_end == std::string_view::npos) return;  // no letter before "://": no scheme, no URL
    // One pass over the authority serves both the URL's normal-form check and its host.
    size_t hs = scheme_end + 3;
    Authority a = scan_authority(url, hs);
    if (shapes & kShapeUrl) {
      if (!no_markers) add_as(out, url, Type::Url, false);
      else add_quick(out, url, Type::Url, defanged_scheme(url) ? QuickClass::NeedsCopy : url_view(url, a));
    }
    std::string_view host = url.substr(hs, a.end == std::string_view::npos ? std::string_view::npos : a.end - hs);
    bool host_colon = a.colon;
    if (a.at) {
      host.remove_prefix(host.rfind('@') + 1);
      host_colon = host.find(':') != std::string_view::npos;
    }
    add_host(out, host, no_markers, host_colon, a.name && !a.at);
    // Indicators inside the path and query (?sha=<hash>, /redirect/evil.com/...).
    if (a.end != std::string_view::npos) pieces<kReference>(url.substr(a.end), kSlash | kQuery, 7, !no_markers, out, shapes);
    return;
  }
  if (at) {
    if (auto e = classify(t, Type::Email)) {
      std::string_view email = out.keep(e->value);
      add_as(out, email.substr(email.find('@') + 1), Type::Domain, true);  // normalised: no markers
      add(out, Type::Email, email);
      return;
    }
  }
  if (slash) {  // HIER_DIRECT/1.2.3.4, paths: look at the pieces
    pieces<kReference>(t, kSlash, 3, !no_markers, out, shapes);
    return;
  }
  if (hex && (t.size() == 32 || t.size() == 40 || t.size() == 64)) {
    if (shapes & kShapeHash) add_as(out, t, Type::Md5, true);
    return;
  }
  if (colon && !dot) {
    add_as(out, t, Type::Ipv6, no_markers);
    return;
  }
  if (!kReference && dot && !colon && no_markers && !defanged_scheme(t)) {
    // add_host()'s first branch less its parse_ipv4() (t has a byte other than a digit or '.', the
    // shortcut above took the others) and its all-digit last label test (domain_view() has it too).
    add_quick(out, t, Type::Domain, domain_view(t, !(any & kNotName)));
    return;
  }
  if (dot) add_host(out, t, no_markers, colon, !(any & kNotName));
}

// Why the shape scan gives only end offsets and the token is found by hand: a token's start is
// where a separator precedes it, which Hyperscan cannot report without look-behind, and
// start-of-match tracking on unbounded repeats is costly. A token report is one past the token's
// end (at its separator), a hex run's report inside its token; widening to the token is cheap and
// visits every byte at most twice: offsets inside a token already classified are skipped. The
// shapes are necessary conditions, so the result is exactly the per-token classification of the
// whole body, minus the tokens that cannot hold a candidate.
// `ends` are the shape ends that fall in body (offsets relative to it, at most body.size() + 1: a
// token's separator may be the byte after the body, the '\n' that joins bodies).
void classify_tokens(std::string_view body, const size_t* ends, const size_t* ends_end, Candidates& out,
                     unsigned shapes = kAllShapes) {
  size_t done = 0;  // body[0, done) has been classified
  for (; ends != ends_end; ++ends) {
    if (*ends == 0) continue;
    size_t last = std::min(*ends, body.size()) - 1;  // the match's last byte
    if (last > 0 && is_sep(body[last])) --last;       // a token report is one past its token
    if (last < done || is_sep(body[last])) continue;
    // Out to the separators on both sides, taking the token's class on the way.
    // Backwards eight bytes per step (four pair lookups, one test) while none of them is a
    // separator, then a pair, then byte by byte (two at most) up to the separator: most of this
    // loop's time is in long URL tokens.
    size_t b = last + 1;
    const auto* p = reinterpret_cast<const unsigned char*>(body.data());
    unsigned any = 0;  // in a register: a TokenClass here would live in memory (token() takes its address)
    while (b >= done + 8) {
      uint64_t w = load64(p + b - 8);
      unsigned k = kPair[w & 0xffff] | kPair[(w >> 16) & 0xffff] | kPair[(w >> 32) & 0xffff] | kPair[w >> 48];
      if (k & kSepBit) break;
      any |= k;
      b -= 8;
    }
    for (unsigned k; b >= done + 2 && !((k = kPair[load16(p + b - 2)]) & kSepBit); b -= 2) any |= k;
    for (unsigned k; b > done && !((k = kToken[p[b - 1]]) & kSepBit); --b) any |= k;
    size_t e = last + 1;
    for (unsigned k; e < body.size() && !((k = kToken[p[e]]) & kSepBit); ++e) any |= k;
    TokenClass cls{static_cast<uint16_t>(any)};
    token(std::string_view(body.data() + b, e - b), out, &cls, shapes);
    done = e;
  }
}

// Every token of body classified: by the shape scan, or (kReference) one by one by the scalar code.
template <bool kReference = false>
void tokens(std::string_view body, Candidates& out) {
  if constexpr (kReference) {
    size_t i = 0, n = body.size();
    while (i < n) {
      while (i < n && is_sep(body[i])) ++i;
      size_t start = i;
      while (i < n && !is_sep(body[i])) ++i;
      if (i > start) token<true>(body.substr(start, i - start), out);
    }
  } else {
    scan_shapes(body, out.shape_ends);
    classify_tokens(body, out.shape_ends.data(), out.shape_ends.data() + out.shape_ends.size(), out);
  }
}

// The first n space-separated fields of s; returns how many there are (at most n).
template <size_t N>
size_t fields(std::string_view s, std::array<std::string_view, N>& f) {
  size_t count = 0, i = 0;
  while (i < s.size() && count < N) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t b = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > b) f[count++] = s.substr(b, i - b);
  }
  return count;
}

void source_key(std::string_view field, Candidates& out) {
  QuickClass q = classify_view(field, Type::Ipv4);
  if (q.kind == QuickClass::Normal) out.source_key.assign(q.value);
  else if (q.kind == QuickClass::NeedsCopy)
    if (auto c = classify(field, Type::Ipv4)) out.source_key = c->value;
}

}  // namespace

void Candidates::clear() {
  items.clear();
  source_key.clear();
  used_ = 0;
}

std::string_view Candidates::keep(std::string_view s) {
  if (used_ == kept_.size()) kept_.emplace_back();
  std::string& slot = kept_[used_++];
  slot.assign(s);
  return slot;
}

void add_token(std::string_view value, Candidates& out) { tokens(value, out); }

void extract_every_token(std::string_view body, Candidates& out) {
  out.clear();
  tokens<true>(body, out);
}

void extract_bodies(size_t n, const std::function<std::string_view(size_t)>& body,
                    const std::function<void(size_t, const Candidates&)>& each, std::span<Candidates> outs,
                    unsigned shapes) {
  // Joined by '\n', a separator no shape contains: no match spans two bodies, and each body is
  // classified exactly as if it had been scanned alone.
  thread_local std::string joined;
  thread_local std::vector<size_t> starts;
  joined.clear();
  starts.clear();
  for (size_t i = 0; i < n; ++i) {
    starts.push_back(joined.size());
    joined.append(body(i));
    joined.push_back('\n');
  }
  starts.push_back(joined.size());
  std::vector<size_t>& ends = outs[0].shape_ends;  // classify_tokens() leaves shape_ends alone
  scan_shapes(joined, ends, shapes);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    // A match with its last byte in body i ends in (starts[i], starts[i + 1]].
    size_t first = k;
    while (k < ends.size() && ends[k] <= starts[i + 1]) ends[k++] -= starts[i];
    Candidates& out = outs[i % outs.size()];
    out.clear();
    classify_tokens(body(i), ends.data() + first, ends.data() + k, out, shapes);
    each(i, out);
  }
}

template <bool kReference>
void extract_fields(std::string_view body, Mode mode, Candidates& out) {
  out.clear();
  if (mode == Mode::Syslog) {
    // The sender's host name is not an indicator of the event: sweep only what the message says.
    Event e = syslog::parse_message(body, false, syslog::KeepFields{}, 0);
    if (!e.headers.contains(syslog::kStatusHeader)) {
      tokens<kReference>(out.keep(e.body), out);
      return;
    }
  }
  if (mode == Mode::Squid) {
    // time elapsed client code/status bytes method URL user hierarchy/peer type
    std::array<std::string_view, 9> f;
    size_t n = fields(body, f);
    if (n >= 7) {
      source_key(f[2], out);
      token<kReference>(f[6], out);
      if (n >= 9) token<kReference>(f[8], out);
      return;
    }
  } else if (mode == Mode::Combined) {
    // client ident user [time] "METHOD url proto" status bytes "referer" "agent"
    std::array<std::string_view, 1> f;
    if (fields(body, f) == 1) {
      source_key(f[0], out);
      size_t q1 = body.find('"');
      size_t q2 = q1 == std::string_view::npos ? q1 : body.find('"', q1 + 1);
      if (q2 != std::string_view::npos) {
        std::array<std::string_view, 2> req;
        if (fields(body.substr(q1 + 1, q2 - q1 - 1), req) == 2) token<kReference>(req[1], out);
        size_t r1 = body.find('"', q2 + 1);
        size_t r2 = r1 == std::string_view::npos ? r1 : body.find('"', r1 + 1);
        if (r2 != std::string_view::npos) tokens<kReference>(body.substr(r1 + 1, r2 - r1 - 1), out);  // a referer may hold spaces
        return;
      }
    }
  }
  tokens<kReference>(body, out);  // body mode, or a line that does not fit the format
}

void extract(std::string_view body, Mode mode, Candidates& out) { extract_fields<false>(body, mode, out); }

void extract_reference(std::string_view body, Mode mode, Candidates& out) { extract_fields<true>(body, mode, out); }

}  // namespace sluice::ioc
