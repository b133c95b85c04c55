// IOC sweeper: normalisation, indicator types, near-miss decoys, feeds, allowlist, dedup, reload.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "interceptors/ioc/extract.hpp"
#include "interceptors/ioc/feed.hpp"
#include "interceptors/ioc/indicator_set.hpp"
#include "interceptors/ioc_sweeper.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using namespace ioc;
namespace fs = std::filesystem;
using test::make_context;

TEST(IocNormalise, DefangedCaseDotsPortsMappedV6) {
  EXPECT_EQ(refang("hxxps://evil[.]com/a"), "https://evil.com/a");
  EXPECT_EQ(classify("EVIL(.)Example.COM.")->value, "evil.example.com");
  EXPECT_EQ(classify("hxxp://Evil.COM:80/Path?q=1")->value, "http://evil.com/Path?q=1");
  EXPECT_EQ(classify("https://evil.com:8443")->value, "https://evil.com:8443/");
  EXPECT_EQ(classify("::ffff:1.2.3.4")->value, "1.2.3.4");
  EXPECT_EQ(classify("::ffff:1.2.3.4")->type, Type::Ipv4);
  EXPECT_EQ(classify("2001:DB8::1")->value, "2001:db8::1");
  EXPECT_EQ(classify("D41D8CD98F00B204E9800998ECF8427E")->type, Type::Md5);
  EXPECT_EQ(classify("Bad.Guy[@]Evil[.]com")->value, "bad.guy@evil.com");
  EXPECT_EQ(classify("10.0.0.0/8")->type, Type::Cidr);
  EXPECT_FALSE(classify("not an indicator"));
  EXPECT_FALSE(classify("1.2.3.999"));
}

IndicatorSet make_set() {
  IndicatorSet s;
  for (const char* v : {"evil.com", "1.2.3.4", "10.20.0.0/16", "10.20.30.0/24", "2001:db8::/32",
                        "http://bad.example.org/payload.exe", "44d88612fea8a8f36de82e1278abb02f", "phish@mail.ru"})
    s.add(*classify(v), "feedA");
  return s;
}

TEST(IocSet, DomainsMatchAtLabelBoundariesOnly) {
  auto s = make_set();
  EXPECT_TRUE(s.lookup(*classify("evil.com")));
  EXPECT_TRUE(s.lookup(*classify("a.b.evil.com")));
  EXPECT_FALSE(s.lookup(*classify("notevil.com")));
  EXPECT_FALSE(s.lookup(*classify("evil.com.example.org")));
  EXPECT_FALSE(s.lookup(*classify("com.evil")));
}

TEST(IocSet, IpsExactAndLongestPrefix) {
  auto s = make_set();
  EXPECT_TRUE(s.lookup(*classify("1.2.3.4")));
  EXPECT_FALSE(s.lookup(*classify("1.2.3.40")));
  EXPECT_FALSE(s.lookup(*classify("11.2.3.4")));
  auto m = s.lookup(*classify("10.20.30.40"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->value, "10.20.30.0/24");  // the longer prefix wins
  EXPECT_EQ(s.lookup(*classify("10.20.99.1"))->value, "10.20.0.0/16");
  EXPECT_FALSE(s.lookup(*classify("10.21.0.1")));
  EXPECT_TRUE(s.lookup(*classify("2001:db8:1::5")));
  EXPECT_FALSE(s.lookup(*classify("2001:db9::5")));
}

TEST(IocSet, HashesUrlsEmailsExact) {
  auto s = make_set();
  EXPECT_TRUE(s.lookup(*classify("44D88612FEA8A8F36DE82E1278ABB02F")));
  EXPECT_FALSE(s.lookup(*classify("44d88612fea8a8f36de82e1278abb02e")));
  EXPECT_TRUE(s.lookup(*classify("HTTP://BAD.example.org:80/payload.exe")));
  EXPECT_FALSE(s.lookup(*classify("http://bad.example.org/payload.exe2")));
  EXPECT_TRUE(s.lookup(*classify("PHISH@mail.ru")));
}

TEST(IocExtract, EmailLocalPartsAndCombinedRefererWithSpaces) {
  // Found by fuzz_ioc_extract: a referer with a space was classified whole as one e-mail address,
  // "hxxpsshs shsl@r.ihmau", which normalises differently the second time. A local part is
  // RFC 5322 dot-atom text; the referer is swept token by token.
  EXPECT_FALSE(classify("a b@example.com", Type::Email));
  EXPECT_FALSE(classify("\"q\"@example.com", Type::Email));
  EXPECT_FALSE(classify(std::string(65, 'a') + "@example.com", Type::Email));
  auto ok = classify("First.O'Neil+tag@Example.COM", Type::Email);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->value, "first.o'neil+tag@example.com");
  Candidates c;
  extract("10.0.0.9 - - [25/Nov/2026:10:00:00 +0000] \"GET /x HTTP/1.1\" 200 5 \"hxxpsshs shsl@r.ihmau\" \"agent\"",
          Mode::Combined, c);
  bool email = false;
  for (auto& i : c.items) {
    EXPECT_EQ(i.value.find(' '), std::string::npos) << i.value;
    auto again = classify(i.value, i.type);
    ASSERT_TRUE(again) << i.value;
    EXPECT_EQ(again->value, i.value);
    email |= i.type == Type::Email && i.value == "shsl@r.ihmau";
  }
  EXPECT_TRUE(email);
}

TEST(IocExtract, SquidLineFieldsAndBody) {
  std::string line =
      "1763856000.123    120 10.1.2.3 TCP_MISS/200 5120 GET http://a.b.evil.com:8080/x?y=1 - HIER_DIRECT/1.2.3.4 text/html";
  Candidates c;
  extract(line, Mode::Squid, c);
  EXPECT_EQ(c.source_key, "10.1.2.3");
  auto has = [&](Type t, const std::string& v) {
    for (auto& i : c.items)
      if (i.type == t && i.value == v) return true;
    return false;
  };
  EXPECT_TRUE(has(Type::Domain, "a.b.evil.com"));
  EXPECT_TRUE(has(Type::Url, "http://a.b.evil.com:8080/x?y=1"));
  EXPECT_TRUE(has(Type::Ipv4, "1.2.3.4"));
  extract("CONNECT evil.com:443 from \"phish@mail.ru\" sha 44d88612fea8a8f36de82e1278abb02f", Mode::Body, c);
  EXPECT_TRUE(has(Type::Domain, "evil.com"));
  EXPECT_TRUE(has(Type::Email, "phish@mail.ru"));
  EXPECT_TRUE(has(Type::Md5, "44d88612fea8a8f36de82e1278abb02f"));
  // syslog mode: the message part only, not the sending host in the header
  extract("<13>Nov 25 10:00:00 evil.com sshd[1]: login from 1.2.3.4", Mode::Syslog, c);
  EXPECT_TRUE(has(Type::Ipv4, "1.2.3.4"));
  EXPECT_FALSE(has(Type::Domain, "evil.com"));
  extract("<34>1 2026-11-25T10:00:00Z evil.com app - - - GET http://bad.example/x", Mode::Syslog, c);
  EXPECT_TRUE(has(Type::Domain, "bad.example"));
  EXPECT_FALSE(has(Type::Domain, "evil.com"));
}

using Dir = test::TempDir;

TEST(IocNormalise, UrlNormalisesToItself) {
  EXPECT_FALSE(classify("http://:80"));
  EXPECT_FALSE(classify("http://.:80/x"));
  EXPECT_FALSE(classify("http://a:80:/", Type::Url));
  EXPECT_EQ(classify("http://a.:80/x")->value, "http://a/x");
  EXPECT_EQ(classify("HTTP://User@Evil.COM.:8080")->value, "http://user@evil.com:8080/");
  EXPECT_EQ(classify("http://[2001:DB8::1]:80/")->value, "http://[2001:db8::1]:80/");
  for (const char* u : {"http://a.:80/x", "https://evil.com:8443", "ftp://x.example:21/", "http://u:p@h.example:81/",
                        "hxxps://bad[.]example./p?q=1#f"}) {
    auto once = classify(u, Type::Url);
    ASSERT_TRUE(once) << u;
    EXPECT_EQ(classify(once->value, Type::Url)->value, once->value) << u;
  }
  Candidates c;
  extract("url=hxxp://:80 and http://ok.example:80/a", Mode::Body, c);
  for (const auto& i : c.items) EXPECT_NE(i.value, "http:///");
}

// Found by tests/fuzz/fuzz_ioc_extract: a "://" with no letter before it ("/://:00") threw
// std::out_of_range from the extractor, i.e. out of the interceptor, for any event body.
TEST(IocExtract, SchemeSeparatorWithoutSchemeIsNoUrl) {
  for (const char* body : {"/://:00+:00", "\xff\xff://b[.]example/x", "://", "1://x", "a\x01://evil.com/p"}) {
    Candidates c;
    EXPECT_NO_THROW(extract(body, Mode::Body, c)) << body;
  }
  Candidates c;
  extract("see 9://evil.example/x and http://ok.example/", Mode::Body, c);
  bool ok = false;
  for (const auto& i : c.items) ok |= i.value == "http://ok.example/";
  EXPECT_TRUE(ok);
}


// A path piece is skipped unless it can hold a candidate; a hash followed by ']' can (token() trims
// the ']'), in a URL path as after any other '/'. The URL path skipped it until 2026-12-02.
TEST(IocExtract, HashBeforeABracketInAPathPiece) {
  const std::string md5 = "44d88612fea8a8f36de82e1278abb02f";
  for (std::string body : {"http://a.example/" + md5 + "]/x", "GET /files/" + md5 + "]/x", "http://a.example/?h=" + md5 + "]]"}) {
    Candidates c;
    extract(body, Mode::Body, c);
    bool hash = false;
    for (const auto& i : c.items) hash |= i.type == Type::Md5 && i.value == md5;
    EXPECT_TRUE(hash) << body;
  }
}
// domain_view(s, true) skips the per-byte checks for s made only of [a-z0-9._-]; it must answer as
// the full check does (labels of 0, 63 and 64 bytes, leading, trailing and double dots, digits).
TEST(IocNormalise, PlainDomainViewAgreesWithTheFullCheck) {
  std::mt19937 r(7);
  const std::string alphabet = "ab9-_.";
  size_t normal = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    for (size_t n = r() % 12; n > 0; --n) s += r() % 8 == 0 ? std::string(62 + r() % 3, 'x') : std::string(1, alphabet[r() % alphabet.size()]);
    if (s.empty()) continue;  // classify_view() says NeedsCopy for "", domain_view() is not asked
    QuickClass plain = domain_view(s, true), full = classify_view(s, Type::Domain, true);
    ASSERT_EQ(plain.kind, full.kind) << s;
    if (plain.kind == QuickClass::Normal) {
      EXPECT_EQ(plain.value, full.value) << s;
      ++normal;
    }
  }
  EXPECT_GT(normal, 1000u);
}

// Found by tests/fuzz/fuzz_ioc_extract: "uce[At]@example.sorer" gave the email "uce[at]@..." (the
// marker was matched in lower case only, then the value was lowered), which is no email when
// classified again; nested markers needed two passes.
TEST(IocNormalise, RefangIsCaseInsensitiveAndIdempotent) {
  EXPECT_EQ(refang("evil[DOT]com"), "evil.com");
  EXPECT_EQ(refang("Bad.Guy[AT]Evil(Dot)com"), "Bad.Guy@Evil.com");
  EXPECT_EQ(refang("a[[.]]b"), "a.b");
  EXPECT_EQ(refang("x[[[dot]]]y"), "x.y");
  EXPECT_EQ(refang("hxxps[://]evil[.]com"), "https://evil.com");
  EXPECT_FALSE(classify("uce[At]@example.org"));  // "uce@@example.org"
  EXPECT_EQ(classify("UCE[AT]Example[.]org")->value, "uce@example.org");
  for (const char* v : {"a[[at]]@x.org", "[[.]]", "(((.)))", "http://a.example/x[[.]]y", "a[[@]]b.example"}) {
    EXPECT_EQ(refang(refang(v)), refang(v)) << v;
    if (auto once = classify(v)) {
      EXPECT_EQ(classify(once->value, once->type)->value, once->value) << v;
    }
  }
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "[.]";
  EXPECT_EQ(refang(many), std::string(100000, '.'));
}

struct Sweep {
  Dir d;
  std::unique_ptr<IocSweeper> sweeper;
  std::string feed;
  explicit Sweep(std::map<std::string, std::string> extra = {}) {
    feed = d.write("feed.txt", "evil.com\n1.2.3.4\n10.0.0.0/8\n");
    std::map<std::string, std::string> kv = {{"feeds", "f"},
                                             {"feeds.f.path", feed},
                                             {"feeds.f.name", "testfeed"},
                                             {"allowlist.path", d.write("allow.txt", "10.9.9.9\n")},
                                             {"reloadInterval", "0"}};
    for (auto& [k, v] : extra) kv[k] = v;
    auto ctx = make_context(kv);
    sweeper = std::make_unique<IocSweeper>("ioc", ctx);
    sweeper->start();
  }
  Batch run(std::vector<std::string> bodies) {
    Batch b;
    for (auto& s : bodies) b.emplace_back(s);
    sweeper->intercept(b);
    return b;
  }
};

TEST(IocSweeper, TagsHitsAllowlistsAndDedups) {
  Sweep s;
  auto b = s.run({"GET http://www.evil.com/ from 1.2.3.4", "nothing here notevil.com 1.2.3.40",
                  "client 10.9.9.9 to 10.1.1.1", "GET http://www.evil.com/ from 1.2.3.4"});
  EXPECT_EQ(b[0].headers.get("ioc.match"), "true");
  EXPECT_EQ(b[0].headers.get("ioc.count"), "2");
  EXPECT_NE(b[0].headers.get("ioc.value").find("evil.com"), std::string::npos);
  EXPECT_NE(b[0].headers.get("ioc.value").find("1.2.3.4"), std::string::npos);
  EXPECT_EQ(b[0].headers.get("ioc.feed"), "testfeed,testfeed");
  EXPECT_FALSE(b[0].headers.contains("ioc.duplicate"));
  EXPECT_TRUE(b[1].headers.empty());  // near misses do not match
  EXPECT_EQ(b[2].headers.get("ioc.allowlisted"), "10.9.9.9");
  EXPECT_EQ(b[2].headers.get("ioc.value"), "10.0.0.0/8");  // 10.1.1.1 still hits the CIDR
  EXPECT_EQ(b[3].headers.get("ioc.duplicate"), "true");
  EXPECT_EQ(b.size(), 4u);  // never drops
}

// maxHits caps the lists, never ioc.count; tagMisses marks events without a hit.
TEST(IocSweeper, MaxHitsCapsTheListsAndTagMissesMarksMisses) {
  Sweep s(std::map<std::string, std::string>{{"maxHits", "1"}, {"tagMisses", "true"}});
  auto b = s.run({"GET http://www.evil.com/ from 1.2.3.4 via 10.1.1.1", "nothing here notevil.com"});
  EXPECT_EQ(b[0].headers.get("ioc.count"), "3");
  EXPECT_EQ(b[0].headers.get("ioc.value"), "evil.com");
  EXPECT_EQ(b[0].headers.get("ioc.type"), "domain");
  EXPECT_EQ(b[0].headers.get("ioc.feed"), "testfeed");
  EXPECT_EQ(b[1].headers.get("ioc.match"), "false");
  EXPECT_FALSE(b[1].headers.contains("ioc.value"));
}

TEST(IocSweeper, JsonModeSweepsOnlyTheConfiguredPaths) {
  Sweep s({{"mode", "json"}, {"json.paths", "http.url dns.answers dst"}, {"json.sourcePath", "src.ip"}});
  auto b = s.run({
      // hit in a nested path; evil.com elsewhere in the document (user_agent) is not swept
      R"({"src":{"ip":"192.168.1.5"},"http":{"url":"https://cdn.evil.com/a.js"},"user_agent":"evil.com bot"})",
      // an array at the end of a path: every element
      R"({"src":{"ip":"192.168.1.6"},"dns":{"answers":["8.8.8.8","1.2.3.4"]}})",
      // near misses in the swept paths, a hit only outside them
      R"({"http":{"url":"http://notevil.com/"},"dst":"1.2.3.40","note":"1.2.3.4"})",
      // not JSON: the whole body is swept, as other field modes do with lines that do not fit
      "plain text to evil.com",
      // same indicator and source as the first event: a duplicate
      R"({"src":{"ip":"192.168.1.5"},"http":{"url":"https://cdn.evil.com/other"}})",
  });
  EXPECT_EQ(b[0].headers.get("ioc.match"), "true");
  EXPECT_EQ(b[0].headers.get("ioc.value"), "evil.com");
  EXPECT_EQ(b[1].headers.get("ioc.value"), "1.2.3.4");
  EXPECT_FALSE(b[2].headers.contains("ioc.match")) << b[2].headers.get("ioc.value");
  EXPECT_EQ(b[3].headers.get("ioc.value"), "evil.com");
  EXPECT_EQ(b[4].headers.get("ioc.duplicate"), "true");  // dedup keyed by json.sourcePath
  EXPECT_EQ(b.size(), 5u);
}

TEST(IocSweeper, JsonModeNeedsPaths) {
  Diagnostics d;
  Dir dir;
  auto ctx = make_context({{"feeds", "f"}, {"feeds.f.path", dir.write("f.txt", "evil.com\n")}, {"mode", "json"},
                           {"json.sourcePath", "a..b"}},
                          &d);
  IocSweeper sw("ioc", ctx);
  EXPECT_NE(d.format().find("json.paths: is required with mode = json"), std::string::npos) << d.format();
  EXPECT_NE(d.format().find("'a..b' is not a path"), std::string::npos) << d.format();
}

TEST(IocSweeper, ReloadSwapsAtomicallyAndKeepsOldSetOnFailure) {
  Sweep s;
  EXPECT_EQ(s.sweeper->indicators(), 3u);
  std::atomic<bool> stop{false};
  std::atomic<int> misses{0};
  std::thread reader([&] {
    while (!stop) {
      auto b = s.run({"to evil.com"});
      if (b[0].headers.get("ioc.match") != "true") misses++;  // evil.com is in both versions
    }
  });
  for (int i = 0; i < 20; ++i) {
    std::ofstream(s.feed) << "evil.com\nnew" << i << ".example\n";
    EXPECT_TRUE(s.sweeper->reload());
  }
  stop = true;
  reader.join();
  EXPECT_EQ(misses.load(), 0);
  EXPECT_EQ(s.sweeper->indicators(), 2u);
  fs::remove(s.feed);
  EXPECT_FALSE(s.sweeper->reload());  // unreadable: the previous set stays
  EXPECT_EQ(s.sweeper->indicators(), 2u);
}

// The per-sweeper metrics the issue lists: indicators per feed and type, load time, last reload
// time and result, hits per feed and type (all hits, also past maxHits).
TEST(IocSweeper, MetricsByFeedAndTypeAndReloadResult) {
  Sweep s(std::map<std::string, std::string>{{"maxHits", "1"}});
  auto metric = [&](const std::string& key) {
    for (const auto& [k, v] : s.sweeper->metrics()->snapshot())
      if (k == key) return v;
    return std::string("absent");
  };
  EXPECT_EQ(metric("IndicatorsByFeed.testfeed.domain"), "1");
  EXPECT_EQ(metric("IndicatorsByFeed.testfeed.ipv4"), "1");
  EXPECT_EQ(metric("IndicatorsByFeed.testfeed.cidr"), "1");
  EXPECT_NE(metric("FeedLoadMs.testfeed"), "absent");
  EXPECT_NE(metric("LoadTimeMs"), "absent");
  EXPECT_EQ(metric("LastReloadSuccess"), "1");
  s.run({"GET http://www.evil.com/ from 1.2.3.4", "to a.evil.com", "client 10.9.9.9 to 10.1.1.1"});
  EXPECT_EQ(metric("HitsByFeed.testfeed.domain"), "2");
  EXPECT_EQ(metric("HitsByFeed.testfeed.ipv4"), "1");
  EXPECT_EQ(metric("HitsByFeed.testfeed.cidr"), "1");  // 10.1.1.1; 10.9.9.9 is allowlisted
  EXPECT_EQ(metric("Hits"), "4");
  fs::remove(s.feed);
  EXPECT_FALSE(s.sweeper->reload());
  EXPECT_EQ(metric("LastReloadSuccess"), "0");
  EXPECT_EQ(metric("ReloadFailures"), "1");
  EXPECT_GE(std::stoll(metric("LastReloadAttemptTime")), std::stoll(metric("LastReloadTime")));
  EXPECT_EQ(metric("IndicatorsByFeed.testfeed.domain"), "1");  // the set in force
}

// SIGHUP (Pipeline::refresh_interceptors -> refresh()): with reloadInterval = 0 nothing polls the
// files, so a changed feed stays unread until refresh(), which re-reads it even when its mtime says
// it did not change.
TEST(IocSweeper, RefreshReReadsTheFeedsEvenWithoutIntervalOrNewMtime) {
  Sweep s;
  auto before = fs::last_write_time(s.feed);
  std::ofstream(s.feed) << "evil.com\nfresh.example\n";
  fs::last_write_time(s.feed, before);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(s.sweeper->indicators(), 3u);  // not polled
  EXPECT_EQ(s.run({"to fresh.example"})[0].headers.find("ioc.match"), nullptr);
  s.sweeper->refresh();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (s.sweeper->indicators() != 2u && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(s.sweeper->indicators(), 2u);
  EXPECT_EQ(s.run({"to fresh.example"})[0].headers.get("ioc.match"), "true");
  EXPECT_EQ(s.run({"to 1.2.3.4"})[0].headers.find("ioc.match"), nullptr);
  EXPECT_EQ(s.sweeper->metrics()->counter("Reloads").get(), 2);  // start() and the refresh
  s.sweeper->stop();  // the watcher stops at once, also when waiting without an interval
}

}  // namespace
}  // namespace sluice
