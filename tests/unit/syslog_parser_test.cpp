#include <gtest/gtest.h>

#include <cstdlib>

#include "sources/syslog/syslog_framer.hpp"
#include "sources/syslog/syslog_parser.hpp"

namespace sluice::syslog {
namespace {

// Tests run in UTC so local-time cases are deterministic.
struct Utc {
  Utc() {
    setenv("TZ", "UTC", 1);
    tzset();
  }
} utc;

const int64_t kNow = 1763856000000LL;  // 2025-11-23T00:00:00Z
KeepFields none() { return {}; }
KeepFields all() {
  KeepFields k;
  k.all = true;
  return k;
}

TEST(SyslogParser, Rfc5424HeadersAndBody) {
  auto e = parse_message("<134>1 2025-11-22T10:11:12.345Z proxy1.example.net squid 42 - - GET http://x/", false,
                         none(), kNow);
  EXPECT_EQ(e.headers.get("Facility"), "16");
  EXPECT_EQ(e.headers.get("Severity"), "6");
  EXPECT_EQ(e.headers.get("priority"), "134");
  EXPECT_EQ(e.headers.get("version"), "1");
  EXPECT_EQ(e.headers.get("timestamp"), "1763806272345");
  EXPECT_EQ(e.headers.get("host"), "proxy1.example.net");
  EXPECT_FALSE(e.headers.contains(kStatusHeader));
  EXPECT_EQ(e.body, "squid 42 - - GET http://x/");
}

TEST(SyslogParser, Rfc5424OffsetsMicrosecondsNilValues) {
  int64_t ms;
  ASSERT_TRUE(parse_rfc5424_time("2025-11-22T10:11:12.345678+02:00", ms));
  EXPECT_EQ(ms, 1763806272345LL - 2 * 3600 * 1000);  // microseconds truncated to ms
  ASSERT_TRUE(parse_rfc5424_time("2025-11-22T10:11:12-05:30", ms));
  EXPECT_EQ(ms, 1763806272000LL + (5 * 3600 + 1800) * 1000LL);
  EXPECT_FALSE(parse_rfc5424_time("2025-13-22T10:11:12Z", ms));
  EXPECT_FALSE(parse_rfc5424_time("2025-11-22T10:11:12.1234567Z", ms));
  auto e = parse_message("<13>1 - - app - - msg", false, none(), kNow);
  EXPECT_FALSE(e.headers.contains("timestamp"));
  EXPECT_FALSE(e.headers.contains("host"));
  EXPECT_EQ(e.body, "app - - msg");
}

TEST(SyslogParser, Rfc3164WithYearFromNow) {
  auto e = parse_message("<13>Nov 22 10:11:12 web01 sshd[42]: Accepted publickey", false, none(), kNow);
  EXPECT_EQ(e.headers.get("Facility"), "1");
  EXPECT_EQ(e.headers.get("Severity"), "5");
  EXPECT_EQ(e.headers.get("timestamp"), "1763806272000");
  EXPECT_EQ(e.headers.get("host"), "web01");
  EXPECT_FALSE(e.headers.contains("version"));
  EXPECT_EQ(e.body, "sshd[42]: Accepted publickey");
  // One-digit day padded with a space.
  auto d = parse_message("<13>Nov  2 10:11:12 web01 x", false, none(), kNow);
  EXPECT_EQ(d.headers.get("timestamp"), "1762078272000");
}

TEST(SyslogParser, Rfc3164YearRollover) {
  int64_t ms;
  // Received on 2025-01-01 00:00:30: "Dec 31 23:59:50" is last year's.
  int64_t jan1 = 1735689630000LL;
  ASSERT_TRUE(parse_rfc3164_time("Dec 31 23:59:50", jan1, ms));
  EXPECT_EQ(ms, 1735689590000LL);
  // Received on 2025-12-31 23:59:50 from a sender already in the new year: next year's.
  int64_t dec31 = 1767225590000LL;
  ASSERT_TRUE(parse_rfc3164_time("Jan  1 00:00:05", dec31, ms));
  EXPECT_EQ(ms, 1767225605000LL);
  EXPECT_FALSE(parse_rfc3164_time("Foo  1 00:00:05", dec31, ms));
}

TEST(SyslogParser, KeepFields) {
  std::string msg = "<134>1 2025-11-22T10:11:12Z h1 app - - hello";
  EXPECT_EQ(parse_message(msg, false, all(), kNow).body, msg);
  KeepFields k;
  std::string bad;
  ASSERT_TRUE(KeepFields::parse("hostname priority", k, bad));
  EXPECT_EQ(parse_message(msg, false, k, kNow).body, "<134>h1 app - - hello");
  ASSERT_TRUE(KeepFields::parse("timestamp version", k, bad));
  EXPECT_EQ(parse_message(msg, false, k, kNow).body, "1 2025-11-22T10:11:12Z app - - hello");
  EXPECT_FALSE(KeepFields::parse("priority bogus", k, bad));
  EXPECT_EQ(bad, "bogus");
  ASSERT_TRUE(KeepFields::parse("true", k, bad));
  EXPECT_TRUE(k.all);
}

TEST(SyslogParser, InvalidAndGarbage) {
  for (std::string m : {std::string("no priority at all"), std::string("<>empty"), std::string("<abc>x"),
                        std::string("<1234>x"), std::string("<192>too big"), std::string("\x00\x01\xff<13>", 5),
                        std::string("<13")}) {
    auto e = parse_message(m, false, none(), kNow);
    EXPECT_EQ(e.headers.get(kStatusHeader), "Invalid") << m;
    EXPECT_EQ(e.headers.get("Facility"), "0");
    EXPECT_EQ(e.body, m);  // nothing lost: the raw bytes are the body
  }
  // Valid PRI but an unknown layout: headers from PRI, raw body, no timestamp/host.
  auto e = parse_message("<13>hello there", false, none(), kNow);
  EXPECT_FALSE(e.headers.contains(kStatusHeader));
  EXPECT_FALSE(e.headers.contains("timestamp"));
  EXPECT_EQ(e.body, "<13>hello there");
  // Invalid UTF-8 passes through byte for byte.
  std::string bin = "<13>Nov 22 10:11:12 h \xc3\x28\xff\xfe";
  EXPECT_EQ(parse_message(bin, false, none(), kNow).body, "\xc3\x28\xff\xfe");
}

TEST(SyslogParser, IncompleteMarked) {
  auto e = parse_message("<13>Nov 22 10:11:12 h trunc", true, none(), kNow);
  EXPECT_EQ(e.headers.get(kStatusHeader), "Incomplete");
}

struct Collected {
  std::vector<std::pair<std::string, bool>> msgs;
  std::vector<std::string> errors;
  Framer framer(size_t max) {
    return Framer(max, [this](std::string_view m, bool inc) { msgs.emplace_back(std::string(m), inc); },
                  [this](const std::string& e) { errors.push_back(e); });
  }
};

TEST(SyslogFramer, NewlineFramingAcrossReads) {
  Collected c;
  auto f = c.framer(100);
  f.feed("<13>one\n<13>tw");
  f.feed("o\n\n\n<13>three");
  f.finish();
  ASSERT_EQ(c.msgs.size(), 3u);
  EXPECT_EQ(c.msgs[1].first, "<13>two");
  EXPECT_EQ(c.msgs[2].first, "<13>three");
  EXPECT_FALSE(f.octet_counting());
}

TEST(SyslogFramer, OctetCounting) {
  Collected c;
  auto f = c.framer(100);
  std::string m1 = "<13>1 - h a - - multi\nline", m2 = "<13>second";
  std::string wire = std::to_string(m1.size()) + " " + m1 + std::to_string(m2.size()) + " " + m2;
  for (char ch : wire) f.feed(std::string_view(&ch, 1));  // byte by byte
  f.finish();
  EXPECT_TRUE(f.octet_counting());
  ASSERT_EQ(c.msgs.size(), 2u);
  EXPECT_EQ(c.msgs[0].first, m1);  // a newline inside an octet-counted frame is data
  EXPECT_EQ(c.msgs[1].first, m2);
}

TEST(SyslogFramer, OversizeIsCutAndRestDelivered) {
  Collected c;
  auto f = c.framer(10);
  f.feed("<13>0123456789abcdef\n<13>ok\n");
  ASSERT_EQ(c.msgs.size(), 3u);
  EXPECT_EQ(c.msgs[0], std::make_pair(std::string("<13>012345"), true));
  EXPECT_EQ(c.msgs[1], std::make_pair(std::string("6789abcdef"), true));
  EXPECT_EQ(c.msgs[2], std::make_pair(std::string("<13>ok"), false));
  Collected o;
  auto g = o.framer(10);
  g.feed("15 <13>0123456789a4 <13>");
  ASSERT_EQ(o.msgs.size(), 3u);
  EXPECT_TRUE(o.msgs[0].second);
  EXPECT_EQ(o.msgs[1].first, "6789a");
  EXPECT_FALSE(o.msgs[1].second);
  EXPECT_EQ(o.msgs[2].first, "<13>");
}

TEST(SyslogFramer, BadOctetCountFallsBackToLines) {
  Collected c;
  auto f = c.framer(100);
  f.feed("12x3 hello\nworld\n");
  EXPECT_FALSE(c.errors.empty());
  ASSERT_EQ(c.msgs.size(), 2u);
  EXPECT_EQ(c.msgs[0].first, "12x3 hello");
  // A huge count does not allocate: memory stays bounded by eventSize.
  Collected h;
  auto g = h.framer(16);
  g.feed("9999999999 " + std::string(100, 'a'));
  g.finish();
  for (auto& [m, inc] : h.msgs) EXPECT_LE(m.size(), 16u);
  EXPECT_EQ(h.msgs.size(), 7u);
}

}  // namespace
}  // namespace sluice::syslog
