// The extractor's shortcuts (SSE2 path pieces, digits-and-dots tokens, name tokens, the scheme
// separator, plain domain views) agree with the scalar reference at the edges where a naive
// shortcut would differ.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "interceptors/ioc/extract.hpp"
#include "interceptors/ioc/indicator.hpp"
#include "ioc_candidates.hpp"

namespace sluice {
namespace {

using namespace ioc;
using test_support::found;
using test_support::has;
using test_support::random_body;
using test_support::reference;

TEST(IocShapes, PathPiecesAtBlockEdges) {
  const std::string hash = "44d88612fea8a8f36de82e1278abb02f";
  size_t checked = 0;
  for (size_t pad = 0; pad < 40; ++pad) {
    std::string p(pad, 'p');
    for (const std::string& body : std::vector<std::string>
         {"http://h.example/" + p + "/evil.com/x", "http://h.example/" + p + "?u=evil.com&h=" + hash,
          "http://h.example/" + p + "/" + hash + "]", "http://h.example/" + p + "=" + hash + "0",
          "http://h.example/" + p + "evil.com", "http://h.example/" + p + "/1.2.3.4#x", "http://h.example/" + p + "/ab/c:d@e",
          "http://h.example/" + p + "/ev[.]il.com/", "HIER_DIRECT/" + p + "/93.184.216.34", p + "/" + hash,
          p + "/evil.com", "a/" + p + "x.y/" + p + "/" + p + "m@n.example", "http://h.example/" + p + "/ab" + hash.substr(0, 30)}) {
      ASSERT_EQ(found(body), reference(body)) << body;
      ++checked;
    }
  }
  // Random paths and slash tokens of every length up to 80 (one 64-bit mask up to 64 bytes, a
  // piece of 32 bytes or more without a cut sends them all through the blocks, in order).
  std::mt19937 r(5);
  const std::string alphabet = "aaaaaabbbbcd0123456789//////?=&#..:@[]";
  for (size_t n = 1; n <= 80; ++n) {
    for (int k = 0; k < 60; ++k) {
      std::string x;
      for (size_t i = 0; i < n; ++i) x += alphabet[r() % alphabet.size()];
      if (k % 4 == 0) x.replace(r() % n, std::min<size_t>(n, 32), hash.substr(0, std::min<size_t>(n, 32)));
      for (const std::string& body : std::vector<std::string>{"http://h.example/" + x, "x/" + x, x}) {
        ASSERT_EQ(found(body), reference(body)) << body;
        ++checked;
      }
    }
  }
  EXPECT_TRUE(has(found("http://h.example/" + std::string(17, 'p') + "/" + hash + "]"), Type::Md5, hash));
  EXPECT_TRUE(has(found("HIER_DIRECT/" + std::string(9, 'p') + "/93.184.216.34"), Type::Ipv4, "93.184.216.34"));
  EXPECT_FALSE(has(found("http://h.example/" + std::string(5, 'p') + "/a.b"), Type::Domain, "a.b"));  // too short a piece
  // Field mode's tokens are cut at spaces only: a path may hold markers and other whitespace, which
  // make a piece nothing ("(a.b.com", "ab\tcd.example") or are refanged ("x{.}y.org").
  std::string url = "http://h.example/aaaa\tbb/evil.com/x{.}y.org/(a.b.com/ab\tcd.example/" + hash;
  EXPECT_EQ(found("1 2 10.0.0.1 TCP_MISS/200 5 GET " + url + " - x", Mode::Squid),
            (std::vector<std::pair<Type, std::string>>{{Type::Url, "http://h.example/aaaa\tbb/evil.com/x.y.org/(a.b.com/ab\tcd.example/" + hash},
                                                       {Type::Domain, "h.example"},
                                                       {Type::Domain, "evil.com"},
                                                       {Type::Domain, "x.y.org"},
                                                       {Type::Md5, hash}}));
  EXPECT_GT(checked, 10000u);
}

// A token of digits and dots is an IPv4 address or nothing, but only with a dot: without one it
// may be a hash; trailing dots go, leading zeros and extra octets make it nothing.
TEST(IocShapes, DigitsAndDotsTokens) {
  const std::string digits = "12345678901234567890123456789012";
  for (const std::string& body : std::vector<std::string>{digits, digits + ".", "1.2.3.4.", "1.2.3.4..", "1763856000.123", "1..2.3", "01.2.3.4",
                                  "1.2.3.4.5", "123.", "...", "1.2.3.4:", "[1.2.3.4]", "1.2.3.4]", ":1.2.3.4",
                                  "255.255.255.255", "256.1.1.1", "1.2.3", "0.0.0.0"}) {
    ASSERT_EQ(found(body), reference(body)) << body;
  }
  EXPECT_EQ(found(digits), (std::vector<std::pair<Type, std::string>>{{Type::Md5, digits}}));
  EXPECT_EQ(found("1.2.3.4."), (std::vector<std::pair<Type, std::string>>{{Type::Ipv4, "1.2.3.4"}}));
  EXPECT_EQ(found("[1.2.3.4]"), (std::vector<std::pair<Type, std::string>>{{Type::Ipv4, "1.2.3.4"}}));
  EXPECT_TRUE(found("1763856000.123").empty());
  EXPECT_TRUE(found("1.2.3.4.5").empty());
  EXPECT_TRUE(found("01.2.3.4").empty());
}

// A dotted token with a letter, no ':' and no marker goes straight to domain_view(), unless it
// starts like a defanged scheme (refang() rewrites "fxp"/"hxxp" there) or is not in normal form.
TEST(IocShapes, NameTokensTakeTheShortWay) {
  using V = std::vector<std::pair<Type, std::string>>;
  EXPECT_EQ(found("fxp.example.com"), (V{{Type::Domain, "ftp.example.com"}}));
  EXPECT_EQ(found("Hxxp.Example.com"), (V{{Type::Domain, "http.example.com"}}));
  EXPECT_EQ(found("EVIL.COM."), (V{{Type::Domain, "evil.com"}}));
  EXPECT_EQ(found("evil.com:8080"), (V{{Type::Domain, "evil.com"}}));
  EXPECT_EQ(found("a.b.c. foo.1x ab.12 index.html"),
            (V{{Type::Domain, "a.b.c"}, {Type::Domain, "foo.1x"}, {Type::Domain, "index.html"}}));
  for (const char* body : {"fxp.example.com", "hxxp.example.com", "EVIL.COM.", "evil.com:8080", "a.b.c. foo.1x ab.12 h.x_y-z"})
    EXPECT_EQ(found(body), reference(body)) << body;
}

// Field modes classify their fields with the same token() as body mode: random Squid and combined
// lines (URLs with markers, tabs and separators in them: field mode cuts at spaces only) must give
// what the reference gives.
TEST(IocShapes, FieldModesAgreeWithTheReference) {
  std::mt19937 r(17);
  for (int i = 0; i < 5000; ++i) {
    std::string url = "http://h" + std::to_string(i % 7) + ".example/" + random_body(r);
    std::replace(url.begin(), url.end(), ' ', '\t');
    std::replace(url.begin(), url.end(), '\n', '(');
    std::string squid = "1763856000.123 5 10.0.0." + std::to_string(i % 250) + " TCP_MISS/200 5 GET " + url + " - HIER_DIRECT/" + random_body(r);
    std::string combined = "10.0.0.1 - - [x] \"GET " + url + " HTTP/1.1\" 200 5 \"" + random_body(r) + "\" \"agent\"";
    for (auto [line, mode] : {std::pair{squid, Mode::Squid}, std::pair{combined, Mode::Combined}}) {
      Candidates a, b;
      extract(line, mode, a);
      extract_reference(line, mode, b);
      ASSERT_EQ(a.source_key, b.source_key) << line;
      ASSERT_EQ(a.items.size(), b.items.size()) << line;
      for (size_t k = 0; k < a.items.size(); ++k) {
        ASSERT_EQ(a.items[k].type, b.items[k].type) << line;
        ASSERT_EQ(a.items[k].value, b.items[k].value) << line;
      }
    }
  }
}

// The scheme's "://" is found by a byte loop, and not looked for again unless the trimming to the
// scheme's first letter went past it (then the next one counts, as with find()).
TEST(IocShapes, SchemeSeparatorFoundOnce) {
  for (const char* body : {"http://a.example/x", "12://a.example://b.example/x", "9://x.example", "://x.example/",
                           "xx:/a://b.example/", "a:b/c://d.example/", "hxxp://e[.]example/", "1a://f.example/",
                           "ftp://g.example", "https://h.example:443/p", "x://", "::///1.2.3.4/a.b"})
    EXPECT_EQ(found(body), reference(body)) << body;
  EXPECT_TRUE(has(found("12://a.example://b.example/x"), Type::Domain, "b.example"));
}

// domain_view(s, true) on s of up to 63 bytes works from a bit mask of the dots made by 16-byte
// loads (short s copied first): every length from 1 to 70, dots at the ends and side by side, the
// last label all digits or not, and the label count, must be what the full check gives.
TEST(IocShapes, PlainDomainViewAtEveryLength) {
  std::mt19937 r(11);
  const std::string alphabet = "ab9-_xyz..";
  size_t normal = 0;
  for (size_t n = 1; n <= 70; ++n) {
    for (int k = 0; k < 300; ++k) {
      std::string s;
      for (size_t i = 0; i < n; ++i) s += alphabet[r() % alphabet.size()];
      if (k % 3 == 0) s.back() = '9';
      if (k % 5 == 0) s.front() = '.';
      QuickClass plain = domain_view(s, true), full = classify_view(s, Type::Domain, true);
      ASSERT_EQ(plain.kind, full.kind) << s;
      if (plain.kind != QuickClass::Normal) continue;
      EXPECT_EQ(plain.value, full.value) << s;
      EXPECT_EQ(plain.labels, static_cast<uint32_t>(std::count(plain.value.begin(), plain.value.end(), '.') + 1)) << s;
      ++normal;
    }
  }
  EXPECT_GT(normal, 3000u);
  EXPECT_EQ(domain_view("a.b", true).kind, QuickClass::Normal);
  EXPECT_EQ(domain_view("a..b", true).kind, QuickClass::NotIt);
  EXPECT_EQ(domain_view(".ab", true).kind, QuickClass::NotIt);
  EXPECT_EQ(domain_view("ab.12", true).kind, QuickClass::NotIt);
  EXPECT_EQ(domain_view(std::string(63, 'a'), true).kind, QuickClass::NotIt);
  EXPECT_EQ(domain_view(std::string(61, 'a') + ".b", true).kind, QuickClass::Normal);
}

}  // namespace
}  // namespace sluice
