#include "interceptors/ioc/token_class.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::ioc {

size_t token_start_scalar(const unsigned char* p, size_t done, size_t b, uint8_t& cls) {
  // Four bytes per step while none of them is a separator (one test for four), then byte by byte.
  unsigned any = 0;
  while (b >= done + 4) {
    unsigned k = kToken[p[b - 1]] | kToken[p[b - 2]] | kToken[p[b - 3]] | kToken[p[b - 4]];
    if (k & kSepBit) break;
    any |= k;
    b -= 4;
  }
  for (unsigned k; b > done && !((k = kToken[p[b - 1]]) & kSepBit); --b) any |= k;
  cls |= static_cast<uint8_t>(any);
  return b;
}

#if defined(__SSE2__)
namespace {
// Lanes of x in [lo, lo + n] (unsigned), as 0xff.
__m128i in_range(__m128i x, char lo, char n) {
  __m128i d = _mm_sub_epi8(x, _mm_set1_epi8(lo));
  return _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(n)), d);
}
}  // namespace

// 16 bytes per step. Most bytes of a token are [a-z0-9], whose class is 0 or kNonHex and which
// are never separators: two range compares find them, one more the kNonHex ones (g-z). The other
// bytes ("special": '.', '/', ':', separators, ...) are few and are looked up one by one in
// kToken, from the highest down, until a separator ends the token.
size_t token_start(const unsigned char* p, size_t done, size_t b, uint8_t& cls) {
  unsigned any = 0, non_hex = 0;  // non_hex: movemask bits of g-z lanes inside the token
  while (b > done) {
    if (b < 16) {  // the load would start before p
      b = token_start_scalar(p, done, b, cls);
      break;
    }
    size_t base = b - 16;
    unsigned valid = done > base ? 0xffffu & ~((1u << (done - base)) - 1) : 0xffffu;
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + base));
    unsigned plain = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(in_range(x, '0', 9), in_range(x, 'a', 25))));
    unsigned gz = static_cast<unsigned>(_mm_movemask_epi8(in_range(x, 'g', 19)));
    unsigned special = ~plain & valid;
    while (special) {
      unsigned i = 31u - static_cast<unsigned>(__builtin_clz(special));
      unsigned k = kToken[p[base + i]];
      if (k & kSepBit) {
        non_hex |= gz & valid & ~((2u << i) - 1);  // the lanes above the separator
        cls |= static_cast<uint8_t>(any | (non_hex ? kNonHex : 0));
        return base + i + 1;
      }
      any |= k;
      special ^= 1u << i;
    }
    non_hex |= gz & valid;
    if (valid != 0xffffu) {
      b = done;
      break;
    }
    b = base;
  }
  cls |= static_cast<uint8_t>(any | (non_hex ? kNonHex : 0));
  return b;
}
#else
size_t token_start(const unsigned char* p, size_t done, size_t b, uint8_t& cls) {
  return token_start_scalar(p, done, b, cls);
}
#endif

}  // namespace sluice::ioc
