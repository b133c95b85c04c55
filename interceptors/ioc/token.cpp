#include "interceptors/ioc/token.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::ioc::detail {

// kToken of two bytes at once, indexed by a little-endian 16-bit load of them: the widening looks up
// pairs (half the lookups; the pairs of token bytes touch a few KiB of its 128). Not constexpr:
// clang's constant evaluator gives up on 65536 entries (it is then filled before main()).
const std::array<uint16_t, 65536> kPair = [] {
  std::array<uint16_t, 65536> t{};
  for (size_t i = 0; i < t.size(); ++i) t[i] = kToken[i & 255] | kToken[i >> 8];
  return t;
}();

namespace {

bool is_alpha(char c) { return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

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

}  // namespace


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

template void classify_token<false>(std::string_view, Candidates&, unsigned, unsigned);
template void classify_token<true>(std::string_view, Candidates&, unsigned, unsigned);

}  // namespace sluice::ioc::detail
