// IOC feed files: text, CSV and STIX 2.1 with bad lines, expiry and unsupported patterns; lines read
// as views of the file; STIX bundles that are not bundles and very long patterns.
#include <gtest/gtest.h>

#include "interceptors/ioc/feed.hpp"
#include "interceptors/ioc/indicator_set.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using namespace ioc;
using Dir = test::TempDir;

TEST(IocFeeds, TextCsvStixWithErrorsExpiryAndUnsupported) {
  Dir d;
  IndicatorSet s;
  FeedSpec text{"t", d.write("t.txt", "# comment\nevil.com\n\nnot a thing\n1.2.3.4\n"), FeedSpec::Format::Text};
  auto r = load_feed(text, s, 1700000000);
  EXPECT_EQ(r.loaded, 2u);
  EXPECT_EQ(r.bad_lines, 1u);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors[0].find("t.txt:4:"), std::string::npos) << r.errors[0];
  FeedSpec csv{"c", d.write("c.csv", "value,type,feed,expires\nbad.org,domain,osint,2099-01-01\nold.org,domain,osint,2001-01-01\n"
                                     "5.6.7.8,ip,,\nx,martian,,\n"),
               FeedSpec::Format::Csv};
  csv.header = true;
  csv.type_column = 1;
  csv.feed_column = 2;
  csv.expires_column = 3;
  r = load_feed(csv, s, 1700000000);
  EXPECT_EQ(r.loaded, 2u);
  EXPECT_EQ(r.expired, 1u);
  EXPECT_EQ(r.bad_lines, 1u);
  EXPECT_EQ(s.lookup(*classify("bad.org"))->feed, "osint");
  FeedSpec stix{"s", d.write("s.json", R"({"type":"bundle","objects":[
    {"type":"indicator","pattern":"[ipv4-addr:value = '9.9.9.9']"},
    {"type":"indicator","pattern":"[domain-name:value = 'stix.example']"},
    {"type":"indicator","pattern":"[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']"},
    {"type":"indicator","pattern":"[ipv4-addr:value = '1.1.1.1'] OR [ipv4-addr:value = '2.2.2.2']"},
    {"type":"malware","name":"x"}]})"),
               FeedSpec::Format::Stix};
  r = load_feed(stix, s, 1700000000);
  EXPECT_EQ(r.loaded, 3u);
  EXPECT_EQ(r.unsupported, 1u);
  EXPECT_TRUE(s.lookup(*classify("9.9.9.9")));
  EXPECT_TRUE(s.lookup(*classify("sub.stix.example")));
}

// Feed lines are read as views of the file: CRLF endings, a last line without a newline and CSV
// values (quoted, with the delimiter inside) load as they did line by line.
TEST(IocFeeds, LinesAsViewsKeepCrlfLastLineAndQuotedCsv) {
  Dir d;
  IndicatorSet s;
  FeedSpec text{"t", d.write("t.txt", "crlf.example\r\n  # indented comment\r\n\r\nlast.example"), FeedSpec::Format::Text};
  auto r = load_feed(text, s, 1700000000);
  EXPECT_EQ(r.loaded, 2u);
  EXPECT_EQ(r.bad_lines, 0u);
  EXPECT_EQ(s.lookup(*classify("crlf.example"))->value, "crlf.example");
  EXPECT_EQ(s.lookup(*classify("last.example"))->feed, "t");
  FeedSpec csv{"c", d.write("c.csv", "\"x,y\",quoted.example,\"own, feed\"\nno-second-column\n"), FeedSpec::Format::Csv};
  csv.value_column = 1;
  csv.feed_column = 2;
  r = load_feed(csv, s, 1700000000);
  EXPECT_EQ(r.loaded, 1u);
  EXPECT_EQ(r.bad_lines, 1u);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors[0].find("c.csv:2: no column 1"), std::string::npos) << r.errors[0];
  auto m = s.lookup(*classify("a.quoted.example"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->value, "quoted.example");
  EXPECT_EQ(m->feed, "own, feed");
}

// Found by tests/fuzz/fuzz_ioc_feed: a 'objects' that is not an array escaped as boost's
// invalid_argument, and a long STIX pattern overflowed the stack inside std::regex.
TEST(IocFeeds, StixBundleWithoutObjectArrayIsReported) {
  IndicatorSet s;
  FeedSpec stix{"s", "s.json", FeedSpec::Format::Stix};
  try {
    parse_feed(stix, R"({"type":"bundle","objects":{"type":"indicator"}})", s, 1700000000);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not a STIX 2.1 bundle"), std::string::npos) << e.what();
  }
}

TEST(IocFeeds, StixLongPatternIsParsedWithoutRecursion) {
  IndicatorSet s;
  FeedSpec stix{"s", "s.json", FeedSpec::Format::Stix};
  std::string label(60, 'a'), name;
  while (name.size() < 2'000'000) name += label + ".";
  name += "example";
  std::string bundle = R"({"type":"bundle","objects":[{"type":"indicator","pattern":"[domain-name:value = ')" + name +
                       R"(']"},{"type":"indicator","pattern":"[url:value = 'http://evil.example/x']"}]})";
  auto r = parse_feed(stix, bundle, s, 1700000000);
  EXPECT_EQ(r.loaded + r.bad_lines, 2u);
  EXPECT_TRUE(s.lookup(*classify("http://evil.example/x")));
}

// Found by tests/fuzz/fuzz_ioc_extract: "hxxp://:80" in an event became the candidate "http:///",
// which is not a URL, and a normalised URL did not always normalise to itself.
}  // namespace
}  // namespace sluice
