// IndicatorSet's lookups: the Bloom filter keeps every indicator findable while it grows, candidates
// of a type nothing loaded can match are not probed, and domains are probed only at the label counts
// the loaded domains have; prepare/finish find the same hits as lookup().
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "interceptors/ioc/extract.hpp"
#include "interceptors/ioc/indicator_set.hpp"

namespace sluice {
namespace {

using namespace ioc;

// A filter that grows while indicators are added keeps every one of them findable.
TEST(IocSetFilter, EveryIndicatorFoundAfterGrowth) {
  IndicatorSet s;
  for (int i = 0; i < 60000; ++i) {
    s.add(*classify("host" + std::to_string(i) + ".example.com"), "f");
    s.add(*classify("10." + std::to_string(i >> 8 & 255) + "." + std::to_string(i & 255) + ".7"), "f");
  }
  for (int i = 0; i < 60000; ++i) {
    ASSERT_TRUE(s.lookup(Type::Domain, "a.host" + std::to_string(i) + ".example.com")) << i;
    ASSERT_TRUE(s.lookup(Type::Ipv4, "10." + std::to_string(i >> 8 & 255) + "." + std::to_string(i & 255) + ".7")) << i;
  }
  size_t wrong = 0;
  for (int i = 0; i < 60000; ++i) {
    wrong += s.lookup(Type::Domain, "host" + std::to_string(i) + ".example.org").has_value();
    wrong += s.lookup(Type::Ipv4, "10." + std::to_string(i >> 8 & 255) + "." + std::to_string(i & 255) + ".8").has_value();
  }
  EXPECT_EQ(wrong, 0u);
  EXPECT_EQ(s.counts_by_type().at("ipv4"), 60000u);
}

// Per feed and type, distinct values are counted once, for the feed that listed them first.
TEST(IocSetFilter, CountsByFeedAndType) {
  IndicatorSet s;
  for (const char* v : {"evil.com", "1.2.3.4", "10.0.0.0/8", "2001:db8::/32", "d41d8cd98f00b204e9800998ecf8427e"})
    s.add(*classify(v), "a");
  s.add(*classify("evil.com"), "b");  // already a's
  s.add(*classify("bad.org"), "b");
  s.add(*classify("5.6.7.8"), "b");
  s.add(*classify("6.7.8.9"), "b");
  std::map<std::string, size_t> got;
  for (const auto& c : s.counts_by_feed_and_type()) got[c.feed + "/" + type_name(c.type)] += c.count;
  std::map<std::string, size_t> want = {{"a/domain", 1}, {"a/ipv4", 1}, {"a/cidr", 2}, {"a/md5", 1},
                                        {"b/domain", 1}, {"b/ipv4", 2}};
  EXPECT_EQ(got, want);
}

// Values are kept in chunks of about 1 MiB that the maps view: ones spread over many chunks (and
// one longer than a chunk) come back intact, and a set reserved for fewer indicators than it gets
// still finds those added before and after the reservation ran out.
TEST(IocSetFilter, ValuesSurviveChunksAndReservationOverflow) {
  IndicatorSet s;
  s.reserve(1000);
  std::string long_url = "http://long.example/" + std::string(1500000, 'a');
  s.add(*classify(long_url), "f");
  for (int i = 0; i < 100000; ++i) s.add(*classify(std::string(64, "0123456789abcdef"[i % 16]).replace(0, 8, std::to_string(10000000 + i))), "f");
  auto m = s.lookup(Type::Url, long_url);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->value, long_url);
  for (int i = 0; i < 100000; i += 997) {
    std::string h = std::string(64, "0123456789abcdef"[i % 16]).replace(0, 8, std::to_string(10000000 + i));
    auto hit = s.lookup(Type::Sha256, h);
    ASSERT_TRUE(hit) << i;
    EXPECT_EQ(hit->value, h);
  }
  EXPECT_FALSE(s.lookup(Type::Sha256, std::string(64, 'f')));
  EXPECT_EQ(s.size(), 100001u);
}

// Candidates of a type that no loaded indicator can match are not probed; loading one of that
// type (or a CIDR of that family) makes them matchable, and prepare/finish still find every hit.
TEST(IocSetFilter, OnlyMatchableTypesAreProbed) {
  IndicatorSet s;
  s.add(*classify("evil.com"), "f");
  EXPECT_TRUE(s.may_match(Type::Domain));
  for (Type t : {Type::Ipv4, Type::Ipv6, Type::Url, Type::Md5, Type::Sha1, Type::Sha256, Type::Email})
    EXPECT_FALSE(s.may_match(t)) << type_name(t);
  auto hits = [&](std::string_view body) {
    Candidates c;
    extract(body, Mode::Body, c);
    IndicatorSet::Probes p;
    s.prepare(c.items, p);
    std::vector<std::string> v;
    s.finish(c.items, p, [&](const Candidate&, const Match& m) { v.push_back(m.value); });
    return v;
  };
  std::string body = "1.2.3.4 http://a.evil.com/x 2001:db8::1 x@evil.com 44d88612fea8a8f36de82e1278abb02f";
  EXPECT_EQ(hits(body), (std::vector<std::string>{"evil.com", "evil.com"}));  // the URL's host, the e-mail's domain
  s.add(*classify("1.2.3.0/24"), "f");
  EXPECT_TRUE(s.may_match(Type::Ipv4));
  EXPECT_FALSE(s.may_match(Type::Ipv6));
  s.add(*classify("2001:db8::/32"), "f");
  EXPECT_TRUE(s.may_match(Type::Ipv6));
  s.add(*classify("http://a.evil.com/x"), "f");
  s.add(*classify("x@evil.com"), "f");
  s.add(*classify("44d88612fea8a8f36de82e1278abb02f"), "f");
  EXPECT_EQ(hits(body), (std::vector<std::string>{"1.2.3.0/24", "http://a.evil.com/x", "evil.com", "2001:db8::/32",
                                                  "evil.com", "x@evil.com", "44d88612fea8a8f36de82e1278abb02f"}));
}

// Names are probed only at the depths (label counts) the loaded domains have; matching is unchanged.
TEST(IocSetFilter, DomainsProbedOnlyAtLoadedDepths) {
  IndicatorSet s;
  s.add(*classify("evil.com"), "f");
  s.add(*classify("a.b.bad.org"), "f");
  auto hit = [&](std::string_view name) -> std::string {
    Candidate c{Type::Domain, name};
    IndicatorSet::Probes p;
    s.prepare({c}, p);
    std::string got;
    s.finish({c}, p, [&](const Candidate&, const Match& m) { got = m.value; });
    EXPECT_EQ(got, s.lookup(Type::Domain, name) ? s.lookup(Type::Domain, name)->value : "") << name;
    return got;
  };
  EXPECT_EQ(hit("evil.com"), "evil.com");
  EXPECT_EQ(hit("x.y.z.evil.com"), "evil.com");
  EXPECT_EQ(hit("a.b.bad.org"), "a.b.bad.org");
  EXPECT_EQ(hit("q.r.s.a.b.bad.org"), "a.b.bad.org");
  EXPECT_EQ(hit("b.bad.org"), "");
  EXPECT_EQ(hit("bad.org"), "");
  EXPECT_EQ(hit("notevil.com"), "");
  EXPECT_EQ(hit("evil.com.example.org"), "");
  std::string deep;  // more than 63 labels
  for (int i = 0; i < 70; ++i) deep += "a.";
  s.add(*classify(deep + "deep.example"), "f");
  EXPECT_EQ(hit("x." + deep + "deep.example"), deep + "deep.example");
  EXPECT_EQ(hit("x." + deep + "evil.com"), "evil.com");
}

// With the label count the extractor gives (Candidate::labels), the probe keys and hits are those
// of the walk that counts the dots itself, and a name with fewer labels than any loaded domain
// gets no key at all.
TEST(IocSetFilter, CountedLabelsProbeTheSameNames) {
  IndicatorSet s;
  s.add(*classify("bad1.example3.com"), "f");
  s.add(*classify("a.b.c.d.bad.org"), "f");
  auto probes = [&](std::string_view name, uint32_t labels) {
    Candidate c{Type::Domain, name, 0, labels};
    IndicatorSet::Probes p;
    s.prepare({c}, p);
    std::vector<std::string> v;
    s.finish({c}, p, [&](const Candidate&, const Match& m) { v.push_back(m.value); });
    return std::make_pair(p.keys, v);
  };
  for (std::string name : {"bad1.example3.com", "x.bad1.example3.com", "w.x.bad1.example3.com", "example3.com",
                           "index.html", "q.a.b.c.d.bad.org", "b.c.d.bad.org", "bad.org", "x.y"}) {
    uint32_t labels = 1 + static_cast<uint32_t>(std::count(name.begin(), name.end(), '.'));
    EXPECT_EQ(probes(name, labels), probes(name, 0)) << name;
  }
  EXPECT_TRUE(probes("index.html", 2).first.empty());  // 2 labels, the loaded domains have 3 and 6
  EXPECT_EQ(probes("w.x.bad1.example3.com", 5).first.size(), 1u);  // only its 3-label parent
  EXPECT_EQ(probes("w.x.bad1.example3.com", 5).second, (std::vector<std::string>{"bad1.example3.com"}));
  Candidates c;  // the extractor counts them for names already in normal form
  extract("GET http://www.site1.example.org/p/index.html x.y.com. EVIL.COM", Mode::Body, c);
  std::vector<std::pair<std::string, uint32_t>> got;
  for (const auto& i : c.items)
    if (i.type == Type::Domain) got.emplace_back(i.value, i.labels);
  EXPECT_EQ(got, (std::vector<std::pair<std::string, uint32_t>>{
                     {"www.site1.example.org", 4}, {"index.html", 2}, {"x.y.com", 3}, {"evil.com", 0}}));
}

}  // namespace
}  // namespace sluice
