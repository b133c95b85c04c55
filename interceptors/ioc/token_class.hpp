// What each byte tells the extractor about its token (extract.cpp), and the backward widening of a
// shape report to its token's start: the largest cost of body mode outside Hyperscan, so it has an
// SSE2 form (baseline x86-64) beside the portable one; both give the same result (unit-tested).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "interceptors/ioc/shape_scan.hpp"

namespace sluice::ioc {

// Token separators (shape_scan.hpp: the scan ends its token reports at the same ones).
inline constexpr std::array<bool, 256> kSep = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : kTokenSeparators) t[c] = true;
  return t;
}();

// kNonHex is set for every character that is not a hex digit, so that the OR of a token's classes
// alone tells everything (a hash is a token without kNonHex). kNotName: not what a domain in normal
// form is made of (then domain_view() need not look at each byte again).
enum : uint8_t { kNonHex = 1, kDot = 2, kSlash = 4, kAt = 8, kColon = 16, kMarker = 32, kQuery = 64, kNotName = 128 };
inline constexpr std::array<uint8_t, 256> kClass = [] {
  std::array<uint8_t, 256> t{};
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
  return t;
}();
// kClass, plus a bit for the separators that end a token.
inline constexpr uint16_t kSepBit = 256;
inline constexpr std::array<uint16_t, 256> kToken = [] {
  std::array<uint16_t, 256> t{};
  for (size_t c = 0; c < 256; ++c) t[c] = kSep[c] ? kSepBit : kClass[c];
  return t;
}();

// The start of the token whose bytes end at p[b - 1]: one past the last separator in p[done, b), or
// done if there is none. ORs the kClass bits of p[start, b) into cls. Reads only p[0, b).
size_t token_start(const unsigned char* p, size_t done, size_t b, uint8_t& cls);
// The same without SIMD (the fallback of non-x86 builds; the reference the tests compare with).
size_t token_start_scalar(const unsigned char* p, size_t done, size_t b, uint8_t& cls);

}  // namespace sluice::ioc
