// The backward widening of a shape report to its token (token_class.hpp): the SSE2 form and the
// scalar one give the same start and class bits as the definition, over random bodies of every
// length (short ones take the scalar path near the body's start, long ones the 16-byte steps).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "interceptors/ioc/token_class.hpp"

namespace sluice {
namespace {

using namespace ioc;

// The definition: one byte at a time.
size_t naive_start(const unsigned char* p, size_t done, size_t b, uint8_t& cls) {
  while (b > done && !kSep[p[b - 1]]) cls |= kClass[p[--b]];
  return b;
}

std::vector<unsigned char> random_bytes(std::mt19937& r, size_t n) {
  static const std::string plain = "abcdefghijklmnopqrstuvwxyz0123456789";
  static const std::string special = "./:@?&=#[]-_%+ABCDEFGZ";
  std::vector<unsigned char> v(n);
  unsigned sep_odds = 2 + r() % 60;  // some bodies are dense with separators, some are long tokens
  for (auto& c : v) {
    unsigned k = r() % 100;
    if (k < sep_odds % 30) c = static_cast<unsigned char>(kTokenSeparators[r() % kTokenSeparators.size()]);
    else if (k < 70) c = static_cast<unsigned char>(plain[r() % plain.size()]);
    else if (k < 95) c = static_cast<unsigned char>(special[r() % special.size()]);
    else c = static_cast<unsigned char>(r());
  }
  return v;
}

TEST(IocTokenClass, Sse2AndScalarWideningAgreeWithTheDefinition) {
  std::mt19937 r(20261202);
  size_t long_tokens = 0;
  for (int body = 0; body < 3000; ++body) {
    // An exact-size heap buffer: a read before its start or past b shows under ASan.
    std::vector<unsigned char> v = random_bytes(r, 1 + r() % 300);
    const unsigned char* p = v.data();
    for (size_t b = 1; b <= v.size(); ++b) {
      size_t done = r() % 4 == 0 ? 0 : r() % b;
      uint8_t want_cls = 0, fast_cls = 0, scalar_cls = 0;
      size_t want = naive_start(p, done, b, want_cls);
      ASSERT_EQ(token_start(p, done, b, fast_cls), want) << "body " << body << " b " << b << " done " << done;
      ASSERT_EQ(fast_cls, want_cls) << "body " << body << " b " << b << " done " << done;
      ASSERT_EQ(token_start_scalar(p, done, b, scalar_cls), want);
      ASSERT_EQ(scalar_cls, want_cls);
      long_tokens += b - want >= 32;
    }
  }
  EXPECT_GT(long_tokens, 10000u);  // the 16-byte steps are exercised, not only the last partial one
}

TEST(IocTokenClass, ClassBitsAccumulateIntoWhatTheCallerHas) {
  std::string s = "x evil.com";
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  uint8_t cls = kAt;
  EXPECT_EQ(token_start(p, 0, s.size(), cls), 2u);
  EXPECT_EQ(cls, kAt | kDot | kNonHex);
}

}  // namespace
}  // namespace sluice
