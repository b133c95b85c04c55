// One token of an event body (or a field) classified into candidates: the byte classes that tell a
// token's kind in one pass, the inline shortcut for digits and dots, and classify_token() for the
// rest (URLs and their host and path pieces, e-mails, hashes, IPv6, names; token.cpp). Shared by
// extract.cpp, which finds the tokens; internal to the extractor.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "interceptors/ioc/extract.hpp"
#include "interceptors/ioc/indicator.hpp"
#include "interceptors/ioc/shape_scan.hpp"

namespace sluice::ioc::detail {

// Token separators (shape_scan.hpp: the scan ends its token reports at the same ones).
constexpr std::array<bool, 256> kSep = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : kTokenSeparators) t[c] = true;
  return t;
}();
inline bool is_sep(char c) { return kSep[static_cast<unsigned char>(c)]; }

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
// pairs (half the lookups; the pairs of token bytes touch a few KiB of its 128). Defined once, in
// token.cpp (not constexpr: clang's constant evaluator gives up on 65536 entries).
extern const std::array<uint16_t, 65536> kPair;
inline uint64_t load64(const unsigned char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
inline uint32_t load32(const unsigned char* p) {
  uint32_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
inline uint16_t load16(const unsigned char* p) {
  uint16_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
// Adds a candidate unless the event already has it.
inline void add(Candidates& out, Type type, std::string_view value, uint32_t ipv4 = 0, uint32_t labels = 0) {
  for (const auto& x : out.items)
    if (x.type == type && x.value == value) return;
  if (type == Type::Ipv4 && ipv4 == 0) parse_ipv4(value, ipv4);
  out.items.push_back({type, value, ipv4, labels});
}

// The kClass bits of any of a token's characters.
struct TokenClass {
  uint16_t any = 0;
  void add(unsigned k) { any |= static_cast<uint16_t>(k); }
};
// The kClass bits of t, by pairs from 8- or 4-byte loads inside t (the last overlapping the one
// before it): a piece is classified again when pieces() sends it to token().
inline unsigned class_of(std::string_view t) {
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

// token() past its trimming and class, for a t of 3 bytes or more whose class is `any`.
template <bool kReference>
void classify_token(std::string_view t, Candidates& out, unsigned any, unsigned shapes);

// known: the class of t as given, if the caller has computed it while finding t. shapes: without
// kShapeUrl / kShapeHash no URL / hash candidates are added (the sweeper loaded none to match).
// kReference: the plain scalar code for extract_every_token(), which the scan-driven path (with its
// SSE2 shortcuts) is compared to by the tests and the fuzzer.
// Inline: the shortcut for digits and dots (timestamps, IPv4) then costs no call.
template <bool kReference = false>
inline void token(std::string_view t, Candidates& out, const TokenClass* known = nullptr, unsigned shapes = kAllShapes) {
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

// Both kinds are instantiated in token.cpp.
extern template void classify_token<false>(std::string_view, Candidates&, unsigned, unsigned);
extern template void classify_token<true>(std::string_view, Candidates&, unsigned, unsigned);

}  // namespace sluice::ioc::detail
