// IOC candidate extraction with the Hyperscan shape scan: every type found, edges of the body,
// separators, overlapping shapes, long tokens, binary bytes; the scan agrees with classifying every
// token (the reference), classify_view() agrees with classify(), one scan per batch agrees with one
// per body, and sweeping from several threads during reloads neither crashes nor misses.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "interceptors/ioc/extract.hpp"
#include "interceptors/ioc/indicator_set.hpp"
#include "interceptors/ioc/shape_scan.hpp"
#include "ioc_candidates.hpp"
#include "interceptors/ioc_sweeper.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using namespace ioc;

using test_support::found;
using test_support::has;
using test_support::reference;

TEST(IocShapes, EveryCandidateTypeInABody) {
  auto v = found(
      "a 1.2.3.4 b 2001:DB8::1 c http://Evil.example:80/x?y=1 d Phish@Mail.RU e "
      "44D88612FEA8A8F36DE82E1278ABB02F f da39a3ee5e6b4b0d3255bfef95601890afd80709 g "
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 h sub.Bad-Site.org.");
  EXPECT_TRUE(has(v, Type::Ipv4, "1.2.3.4"));
  EXPECT_TRUE(has(v, Type::Ipv6, "2001:db8::1"));
  EXPECT_TRUE(has(v, Type::Url, "http://evil.example/x?y=1"));
  EXPECT_TRUE(has(v, Type::Domain, "evil.example"));
  EXPECT_TRUE(has(v, Type::Email, "phish@mail.ru"));
  EXPECT_TRUE(has(v, Type::Domain, "mail.ru"));
  EXPECT_TRUE(has(v, Type::Md5, "44d88612fea8a8f36de82e1278abb02f"));
  EXPECT_TRUE(has(v, Type::Sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"));
  EXPECT_TRUE(has(v, Type::Sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  EXPECT_TRUE(has(v, Type::Domain, "sub.bad-site.org"));
  EXPECT_EQ(v.size(), 10u);
}

TEST(IocShapes, DefangedAndMappedForms) {
  auto v = found("x evil[.]com y 5[.]6[.]7[.]8 z hxxps[:]//bad[dot]example/p w ::ffff:9.9.9.9 q a[at]b[.]example "
                 "n evil2[[.]]com m 2001[:]db8[:][:]2");
  EXPECT_TRUE(has(v, Type::Domain, "evil.com"));
  EXPECT_TRUE(has(v, Type::Ipv4, "5.6.7.8"));
  EXPECT_TRUE(has(v, Type::Ipv4, "9.9.9.9"));
  EXPECT_TRUE(has(v, Type::Domain, "evil2.com"));
  EXPECT_TRUE(has(v, Type::Ipv6, "2001:db8::2"));
  EXPECT_EQ(v, reference("x evil[.]com y 5[.]6[.]7[.]8 z hxxps[:]//bad[dot]example/p w ::ffff:9.9.9.9 q a[at]b[.]example "
                         "n evil2[[.]]com m 2001[:]db8[:][:]2"));
}

TEST(IocShapes, SpansAtStartAndEndOfTheBody) {
  EXPECT_EQ(found("evil.com"), (std::vector<std::pair<Type, std::string>>{{Type::Domain, "evil.com"}}));
  EXPECT_EQ(found("1.2.3.4"), (std::vector<std::pair<Type, std::string>>{{Type::Ipv4, "1.2.3.4"}}));
  EXPECT_TRUE(has(found("http://evil.com/a"), Type::Url, "http://evil.com/a"));
  EXPECT_TRUE(has(found("1.2.3.4 to evil.com"), Type::Ipv4, "1.2.3.4"));
  EXPECT_TRUE(has(found("1.2.3.4 to evil.com"), Type::Domain, "evil.com"));
  EXPECT_TRUE(has(found("from x to 44d88612fea8a8f36de82e1278abb02f"), Type::Md5, "44d88612fea8a8f36de82e1278abb02f"));
  EXPECT_TRUE(has(found("mail a@evil.com"), Type::Email, "a@evil.com"));
  EXPECT_TRUE(has(found("::1"), Type::Ipv6, "::1"));
  EXPECT_TRUE(found("").empty());
  EXPECT_TRUE(found(" \t\n").empty());
  EXPECT_TRUE(found("no candidates in here at all").empty());
}

TEST(IocShapes, AdjacentSeparatorsAndNearMisses) {
  auto v = found("\"evil.com\",1.2.3.4;<bad.org>|(x.example){y.example}'z.example'`w.example`\\v.example");
  for (const char* d : {"evil.com", "bad.org", "x.example", "y.example", "z.example", "w.example", "v.example"})
    EXPECT_TRUE(has(v, Type::Domain, d)) << d;
  EXPECT_TRUE(has(v, Type::Ipv4, "1.2.3.4"));
  // Near misses are other values, never the indicator.
  auto m = found("1.2.3.40 notevil.com evil.com.example.org 44d88612fea8a8f36de82e1278abb02 1.2.3.04 1.2.3");
  EXPECT_TRUE(has(m, Type::Ipv4, "1.2.3.40"));
  EXPECT_FALSE(has(m, Type::Ipv4, "1.2.3.4"));
  EXPECT_TRUE(has(m, Type::Domain, "notevil.com"));
  EXPECT_TRUE(has(m, Type::Domain, "evil.com.example.org"));
  EXPECT_FALSE(has(m, Type::Domain, "evil.com"));
  for (const auto& [t, val] : m) EXPECT_NE(t, Type::Md5) << val;  // 31 hex digits is no hash
  EXPECT_EQ(m.size(), 3u);  // 1.2.3.04 (leading zero) and 1.2.3 are nothing
}

TEST(IocShapes, OverlappingShapesGiveEveryCandidate) {
  auto v = found("GET http://10.1.2.3:8080/p?u=http://inner.example/x&h=44d88612fea8a8f36de82e1278abb02f");
  EXPECT_TRUE(has(v, Type::Url, "http://10.1.2.3:8080/p?u=http://inner.example/x&h=44d88612fea8a8f36de82e1278abb02f"));
  EXPECT_TRUE(has(v, Type::Ipv4, "10.1.2.3"));        // the URL's host
  EXPECT_TRUE(has(v, Type::Domain, "inner.example"));  // a URL inside the query
  EXPECT_TRUE(has(v, Type::Md5, "44d88612fea8a8f36de82e1278abb02f"));
  auto e = found("from bob@sub.evil.com:");
  EXPECT_TRUE(has(e, Type::Email, "bob@sub.evil.com"));
  EXPECT_TRUE(has(e, Type::Domain, "sub.evil.com"));
  auto u = found("http://user@evil.com/ and http://[2001:db8::5]:443/");
  EXPECT_TRUE(has(u, Type::Domain, "evil.com"));
  EXPECT_TRUE(has(u, Type::Ipv6, "2001:db8::5"));
}

TEST(IocShapes, VeryLongTokens) {
  std::string long_label(300, 'a');
  std::string body = "x " + long_label + ".com y " + std::string(1 << 20, 'b') + ".example z 1.2.3.4";
  auto v = found(body);
  EXPECT_EQ(v, reference(body));
  EXPECT_TRUE(has(v, Type::Ipv4, "1.2.3.4"));
  for (const auto& [t, val] : v) EXPECT_NE(t, Type::Domain) << val.size();  // labels over 63: no domain
  std::string url = "http://evil.example/" + std::string(200000, 'p') + "?h=44d88612fea8a8f36de82e1278abb02f";
  auto u = found(url + " tail");
  EXPECT_TRUE(has(u, Type::Domain, "evil.example"));
  EXPECT_TRUE(has(u, Type::Md5, "44d88612fea8a8f36de82e1278abb02f"));
  std::string hex(100000, 'a');
  EXPECT_TRUE(found(hex).empty());  // hex, but not a hash's length
  std::string dotted;
  for (int i = 0; i < 20000; ++i) dotted += "a.";
  EXPECT_EQ(found(dotted + "com"), reference(dotted + "com"));
}

TEST(IocShapes, BinaryGarbageAndNulBytes) {
  std::string body("\x00\xff\xfe evil.com \x00 1.2.3.4\x00tail \x80\x81.\x82 ", 32);
  auto v = found(body);
  EXPECT_EQ(v, reference(body));
  EXPECT_TRUE(has(v, Type::Domain, "evil.com"));
  std::mt19937 r(1);
  for (int n = 0; n < 200; ++n) {
    std::string junk(r() % 512, '\0');
    for (auto& c : junk) c = static_cast<char>(r());
    EXPECT_EQ(found(junk), reference(junk));
  }
}

using test_support::random_body;


TEST(IocShapes, ScanAgreesWithClassifyingEveryToken) {
  std::mt19937 r(20261125);
  size_t with_candidates = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string body = random_body(r);
    auto want = reference(body);
    ASSERT_EQ(found(body), want) << "body: " << body;
    with_candidates += !want.empty();
  }
  EXPECT_GT(with_candidates, 10000u);  // the generator does produce candidates
}

TEST(IocShapes, OneScanPerBatchAgreesWithOnePerBody) {
  std::mt19937 r(7);
  std::vector<std::string> bodies;
  for (int i = 0; i < 500; ++i) bodies.push_back(random_body(r));
  bodies.push_back("");
  bodies.push_back("evil.com");  // ends where the next body's bytes would begin
  bodies.push_back("1.2.3.4");
  Candidates c;
  size_t calls = 0;
  extract_bodies(
      bodies.size(), [&](size_t i) { return std::string_view(bodies[i]); },
      [&](size_t i, const Candidates& got) {
        EXPECT_EQ(i, calls++);
        std::vector<std::pair<Type, std::string>> v;
        for (const auto& x : got.items) v.emplace_back(x.type, std::string(x.value));
        EXPECT_EQ(v, reference(bodies[i])) << "body " << i << ": " << bodies[i];
      },
      c);
  EXPECT_EQ(calls, bodies.size());
}

// A sweeper scans only for the shapes its indicator types need; every candidate of those types is
// still found, and nothing that classifying every token would not find.
TEST(IocShapes, NarrowerScansKeepEveryCandidateOfTheNeededTypes) {
  auto needs = [](Type t) -> unsigned {
    switch (t) {
      case Type::Url: return kShapeUrl;
      case Type::Md5:
      case Type::Sha1:
      case Type::Sha256: return kShapeHash;
      case Type::Ipv4:
      case Type::Ipv6:
      case Type::Cidr: return kShapeIp;
      default: return 0;
    }
  };
  std::mt19937 r(3);
  std::vector<std::string> bodies;
  for (int i = 0; i < 3000; ++i) bodies.push_back(random_body(r));
  bodies.push_back("mapped ::ffff:102:304 and http://localhost/x and 44d88612fea8a8f36de82e1278abb02f");
  size_t skipped = 0;
  for (unsigned flags = 0; flags <= kAllShapes; ++flags) {
    Candidates c;
    extract_bodies(
        bodies.size(), [&](size_t i) { return std::string_view(bodies[i]); },
        [&](size_t i, const Candidates& got) {
          std::vector<std::pair<Type, std::string>> v;
          for (const auto& x : got.items) v.emplace_back(x.type, std::string(x.value));
          auto want = reference(bodies[i]);
          for (const auto& [t, val] : want) {
            if ((needs(t) & flags) == needs(t)) EXPECT_TRUE(has(v, t, val)) << flags << " " << val << " in " << bodies[i];
            else skipped += !has(v, t, val);
          }
          for (const auto& [t, val] : v) EXPECT_TRUE(has(want, t, val)) << val;
        },
        c, flags);
  }
  EXPECT_GT(skipped, 0u);  // narrower scans do skip tokens
  // Without the URL and hash flags no URL or hash candidate is made; the URL's host still is.
  std::string body = "http://evil.com/x?h=44d88612fea8a8f36de82e1278abb02f 44d88612fea8a8f36de82e1278abb02f";
  std::vector<std::pair<Type, std::string>> narrow;
  Candidates c;
  extract_bodies(
      1, [&](size_t) { return std::string_view(body); },
      [&](size_t, const Candidates& got) {
        for (const auto& x : got.items) narrow.emplace_back(x.type, std::string(x.value));
      },
      c, 0);
  EXPECT_EQ(narrow, (std::vector<std::pair<Type, std::string>>{{Type::Domain, "evil.com"}}));
  IndicatorSet s;
  EXPECT_EQ(s.shapes_needed(), 0u);
  s.add(*classify("evil.com"), "f");
  s.add(*classify("a@evil.com"), "f");
  EXPECT_EQ(s.shapes_needed(), 0u);
  s.add(*classify("10.0.0.0/8"), "f");
  EXPECT_EQ(s.shapes_needed(), unsigned{kShapeIp});
  s.add(*classify("http://evil.com/x"), "f");
  s.add(*classify("44d88612fea8a8f36de82e1278abb02f"), "f");
  EXPECT_EQ(s.shapes_needed(), unsigned{kAllShapes});
}

// The path pieces are found 16 bytes at a time: pieces, cuts and candidate bytes at every offset
// around the block edges (15, 16, 17, 31, 32, 48 ...), a hash split across two blocks and one with
// trailing ']', in URL paths and in slash tokens, must give what the byte-by-byte reference gives.
TEST(IocShapes, ClassifyViewAgreesWithClassify) {
  std::mt19937 r(99);
  size_t normal = 0, not_it = 0;
  auto check = [&](std::string_view raw) {
    for (Type hint : {Type::Ipv4, Type::Ipv6, Type::Domain, Type::Url, Type::Md5, Type::Email, Type::Cidr}) {
      QuickClass q = classify_view(raw, hint);
      auto full = classify(raw, hint);
      if (q.kind == QuickClass::Normal) {
        ++normal;
        ASSERT_TRUE(full) << raw;
        EXPECT_EQ(full->type, q.type) << raw;
        EXPECT_EQ(full->value, q.value) << raw;
        if (q.type == Type::Ipv4) {
          uint32_t a;
          ASSERT_TRUE(parse_ipv4(q.value, a));
          EXPECT_EQ(a, q.ipv4);
        }
      } else if (q.kind == QuickClass::NotIt) {
        ++not_it;
        EXPECT_FALSE(full) << raw << " as " << type_name(hint) << " -> " << full->value;
      }
    }
  };
  for (int i = 0; i < 3000; ++i) {
    std::string body = random_body(r);
    for (size_t a = 0; a < body.size(); a += 1 + r() % 4) check(std::string_view(body).substr(a, r() % 40));
  }
  EXPECT_GT(normal, 1000u);
  EXPECT_GT(not_it, 1000u);
}

TEST(IocShapes, ParseIpv4IsInetPtonStrict) {
  uint32_t a = 0;
  EXPECT_TRUE(parse_ipv4("1.2.3.4", a));
  EXPECT_EQ(a, 0x01020304u);
  EXPECT_TRUE(parse_ipv4("255.255.255.255", a));
  EXPECT_EQ(a, 0xffffffffu);
  EXPECT_TRUE(parse_ipv4("0.0.0.0", a));
  EXPECT_EQ(a, 0u);
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "1.2.3.04", "256.1.1.1", "1..2.3", "1.2.3.4.", ".1.2.3", "1.2.3.a",
                          "1.2.3.1000", " 1.2.3.4"})
    EXPECT_FALSE(parse_ipv4(bad, a)) << bad;
  // Against inet_pton on random strings of digits and dots (and a few other bytes).
  std::mt19937 r(4);
  size_t valid = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string s(r() % 18, '0');
    for (auto& c : s) c = "0123456789....a\0"[r() % 16];
    if (r() % 4 == 0) s = std::to_string(r() % 300) + "." + std::to_string(r() % 300) + "." + std::to_string(r() % 300) + "." + std::to_string(r() % 300);
    in_addr want{};
    bool ok = s.find('\0') == std::string::npos && inet_pton(AF_INET, s.c_str(), &want) == 1;
    uint32_t got = 0;
    ASSERT_EQ(parse_ipv4(s, got), ok) << s;
    if (ok) {
      EXPECT_EQ(got, ntohl(want.s_addr)) << s;
    }
    valid += ok;
  }
  EXPECT_GT(valid, 10000u);
}

TEST(IocShapes, ShapeEndsAreSortedAndInsideTheBody) {
  std::vector<size_t> ends;
  std::string body = "a.b http://x.example/ 1.2.3.4 z@y.example ::1 [.] 44d88612fea8a8f36de82e1278abb02f";
  scan_shapes(body, ends);
  ASSERT_FALSE(ends.empty());
  EXPECT_TRUE(std::is_sorted(ends.begin(), ends.end()));
  for (size_t e : ends) EXPECT_LE(e, body.size());
  scan_shapes("", ends);
  EXPECT_TRUE(ends.empty());
  scan_shapes("nothing here", ends);
  EXPECT_TRUE(ends.empty());
}

// A number with one dot (Squid's "1763856000.123", "0.5") is no shape: no indicator is made of
// digits around one dot. Every other token with a dot still is: a second dot, any other byte on
// either side of the dot, or a ':' / '[' anywhere.
TEST(IocShapes, NumbersWithOneDotAreNoShape) {
  auto reported = [](const std::string& token, unsigned flags = kAllShapes) {
    std::vector<size_t> ends;
    scan_shapes(token + " ", ends, flags);
    return !ends.empty();
  };
  for (const char* t : {"1763856000.123", "0.5", "12.", ".34", "."}) EXPECT_FALSE(reported(t)) << t;
  for (const char* t : {"1.2.3.4", "1.2.", "..", "a1.2", "1.2a", "x.1", "1.x", "1:2.3", "1.2:3", "1.2[", "[1.2", "1@2.3",
                        "1/2.3", "1.2-3", "1.2.3.0/24", "evil.com", "1[.]2"})
    EXPECT_TRUE(reported(t)) << t;
  EXPECT_TRUE(reported("1:2"));                           // IPv6 shapes: ':' alone
  EXPECT_FALSE(reported("1:2", kShapeHash));              // no IP or URL indicators: ':' is no shape
  EXPECT_TRUE(reported("1:2.3", kShapeHash));             // ...but a byte other than a digit by a dot is
  std::string line = "1763856000.123    195 10.1.2.3 TCP_MISS/200 1534 GET http://a.example/x - HIER_DIRECT/93.184.1.2 -";
  EXPECT_EQ(found(line), reference(line));
}

// Hyperscan scratch is per thread; the indicator set is swapped whole. Two threads sweep batches
// with one sweeper while the feed is reloaded again and again: no crash, every event tagged.
TEST(IocSweeperThreads, TwoThreadsSweepWhileReloading) {
  test::TempDir d;
  std::string feed = (d.p / "feed.txt").string();
  std::ofstream(feed) << "evil.com\n1.2.3.4\n";
  auto ctx = test::make_context({{"feeds", "f"}, {"feeds.f.path", feed}, {"reloadInterval", "0"}, {"dedup.window", "0"}});
  IocSweeper sw("ioc", ctx);
  sw.start();
  std::atomic<bool> stop{false};
  std::atomic<long> swept{0}, misses{0};
  auto reader = [&](int id) {
    while (!stop) {
      Batch b;
      for (int i = 0; i < 50; ++i)
        b.emplace_back("t" + std::to_string(id) + " GET http://a.evil.com/x from 1.2.3.4 and notevil.com " +
                       std::to_string(i));
      sw.intercept(b);
      for (auto& e : b) {
        ++swept;
        if (e.headers.get("ioc.count") != "2") ++misses;  // both are in every version of the feed
      }
    }
  };
  std::thread t1(reader, 1), t2(reader, 2);
  for (int i = 0; i < 30; ++i) {
    std::ofstream(feed) << "evil.com\n1.2.3.4\nnew" << i << ".example\n";
    EXPECT_TRUE(sw.reload());
  }
  while (swept < 2000) std::this_thread::yield();
  stop = true;
  t1.join();
  t2.join();
  EXPECT_EQ(misses.load(), 0);
  EXPECT_GE(swept.load(), 2000);
  sw.stop();
}

}  // namespace
}  // namespace sluice
