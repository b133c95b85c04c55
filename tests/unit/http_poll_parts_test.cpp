// Units of the http_poll source: Link parsing, response splitting, the line cursor, the state file,
// the auth header and the Last-Modified rule.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sources/http_poll/feed_client.hpp"
#include "sources/http_poll/line_cursor.hpp"
#include "sources/http_poll/link_header.hpp"
#include "sources/http_poll/poll_state.hpp"
#include "sources/http_poll/request_auth.hpp"
#include "sources/http_poll/response_splitter.hpp"
#include "test_support.hpp"

namespace sluice::http_poll {
namespace {

TEST(HttpPollLink, FindsNextAmongSeveralLinks) {
  EXPECT_EQ(next_link(R"(<https://api.x/items?page=1>; rel="prev", <https://api.x/items?page=3>; rel="next")"),
            "https://api.x/items?page=3");
  EXPECT_EQ(next_link("<https://a/b?x=1,2>; rel=next"), "https://a/b?x=1,2");  // comma inside <...>
  EXPECT_EQ(next_link(R"(</p2>; title="a, b; c"; rel="last next")"), "/p2");   // quoted ; and , and a list
  EXPECT_EQ(next_link(R"(<https://a/last>; rel="last")"), std::nullopt);
  EXPECT_EQ(next_link(R"(<https://a/n>; REL="NEXT")"), "https://a/n");
  EXPECT_EQ(next_link(""), std::nullopt);
  EXPECT_EQ(next_link(R"(<https://a/x>; rel="nextpage")"), std::nullopt);
}

TEST(HttpPollLink, ResolvesRelativeTargets) {
  EXPECT_EQ(resolve_url("http://h:8080/feed/list?page=1", "?page=2"), "http://h:8080/feed/list?page=2");
  EXPECT_EQ(resolve_url("http://h:8080/feed/list", "/other"), "http://h:8080/other");
  EXPECT_EQ(resolve_url("http://h/feed/list", "page2"), "http://h/feed/page2");
  EXPECT_EQ(resolve_url("http://h/a", "https://x.example/b"), "https://x.example/b");
}

TEST(HttpPollSplit, LinesSkipEmptyAndStripCr) {
  auto r = split_response(FeedFormat::Lines, "a\r\n\nb\nc");
  EXPECT_EQ(r.records, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(HttpPollSplit, JsonArrayElementsAsCompactJsonStringsAsThemselves) {
  auto r = split_response(FeedFormat::JsonArray, R"([ {"ip": "1.2.3.4", "n": 1}, "5.6.7.8", [1, 2] ])");
  ASSERT_TRUE(r.error.empty());
  EXPECT_EQ(r.records, (std::vector<std::string>{R"({"ip":"1.2.3.4","n":1})", "5.6.7.8", "[1,2]"}));
  EXPECT_FALSE(split_response(FeedFormat::JsonArray, R"({"not": "an array"})").error.empty());
  EXPECT_FALSE(split_response(FeedFormat::JsonArray, "[1, 2").error.empty());
  EXPECT_TRUE(split_response(FeedFormat::JsonArray, "[1, 2").records.empty());
}

TEST(HttpPollSplit, JsonLinesSkipsAndCountsInvalidLines) {
  auto r = split_response(FeedFormat::JsonLines, "{\"a\":1}\nnot json\n\n[2]\r\n");
  EXPECT_EQ(r.records, (std::vector<std::string>{"{\"a\":1}", "[2]"}));
  EXPECT_EQ(r.invalid, 1u);
}

TEST(HttpPollSplit, BodyIsOneEvent) {
  EXPECT_EQ(split_response(FeedFormat::Body, "x\ny\n").records, (std::vector<std::string>{"x\ny\n"}));
  EXPECT_TRUE(split_response(FeedFormat::Body, "").records.empty());
  EXPECT_EQ(parse_feed_format("json_lines"), FeedFormat::JsonLines);
  EXPECT_EQ(parse_feed_format("csv"), std::nullopt);
}

TEST(HttpPollLineCursor, OnlyLinesAfterTheCursorAndNotAnUnfinishedLine) {
  LineWindow w1 = new_lines("a\nb\npart", {});
  EXPECT_EQ(w1.begin, 0u);
  EXPECT_EQ(w1.end, 4u);  // "part" has no newline yet
  EXPECT_FALSE(w1.replaced);
  LineWindow w2 = new_lines("a\nb\npartial\nc\n", w1.next);
  EXPECT_FALSE(w2.replaced);
  EXPECT_EQ(std::string("a\nb\npartial\nc\n").substr(w2.begin, w2.end - w2.begin), "partial\nc\n");
  LineWindow same = new_lines("a\nb\npartial\nc\n", w2.next);  // nothing new
  EXPECT_EQ(same.begin, same.end);
  EXPECT_EQ(same.next, w2.next);
}

TEST(HttpPollLineCursor, ReplacedOrTruncatedFeedIsReadFromTheStart) {
  LineWindow w1 = new_lines("a\nb\n", {});
  LineWindow changed = new_lines("x\nb\nc\n", w1.next);  // same length prefix, other bytes
  EXPECT_TRUE(changed.replaced);
  EXPECT_EQ(changed.begin, 0u);
  EXPECT_EQ(changed.end, 6u);
  LineWindow shorter = new_lines("a\n", w1.next);
  EXPECT_TRUE(shorter.replaced);
  EXPECT_EQ(shorter.next.offset, 2u);
}

TEST(HttpPollState, RoundTripsAtomicallyAndMissingIsEmpty) {
  test::TempDir d;
  std::string path = (d.p / "st.json").string();
  EXPECT_EQ(load_poll_state(path), PollState{});
  PollState s{"\"v1\"", "Wed, 21 Oct 2015 07:28:00 GMT", {42, sha256_hex("x")}, "http://h/p?page=2"};
  save_poll_state(path, s);
  EXPECT_EQ(load_poll_state(path), s);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::ofstream(path) << "{ truncated";
  EXPECT_THROW(load_poll_state(path), std::runtime_error);
  EXPECT_THROW(save_poll_state((d.p / "missing-dir" / "st.json").string(), s), std::runtime_error);
}

TEST(HttpPollAuth, BearerFromFileOrEnvBasicFromFileAndErrorsHideTheSecret) {
  test::TempDir d;
  std::ofstream(d.p / "tok") << "s3cr3t-token\n";
  std::ofstream(d.p / "pw") << "pa55";
  AuthSettings bearer;
  bearer.token_file = (d.p / "tok").string();
  EXPECT_EQ(authorization_value(bearer), "Bearer s3cr3t-token");
  AuthSettings env;
  env.token_env = "SLUICE_TEST_HTTP_POLL_TOKEN";
  ::setenv(env.token_env.c_str(), "from-env", 1);
  EXPECT_EQ(authorization_value(env), "Bearer from-env");
  ::unsetenv(env.token_env.c_str());
  try {
    authorization_value(env);
    FAIL() << "an unset variable must be an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("SLUICE_TEST_HTTP_POLL_TOKEN"), std::string::npos);
  }
  AuthSettings basic;
  basic.user = "alice";
  basic.password_file = (d.p / "pw").string();
  EXPECT_EQ(authorization_value(basic), "Basic YWxpY2U6cGE1NQ==");  // base64("alice:pa55")
  EXPECT_EQ(authorization_value(AuthSettings{}), std::nullopt);
  AuthSettings both = bearer;
  both.user = "alice";
  EXPECT_FALSE(auth_settings_problem(both).empty());
  EXPECT_TRUE(auth_settings_problem(basic).empty());
}

TEST(HttpPollClient, LastModifiedInTheSecondOfDateIsNotReused) {
  EXPECT_FALSE(last_modified_is_safe("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT"));
  EXPECT_TRUE(last_modified_is_safe("Wed, 21 Oct 2015 07:27:59 GMT", "Wed, 21 Oct 2015 07:28:00 GMT"));
  EXPECT_TRUE(last_modified_is_safe("Wed, 21 Oct 2015 07:28:00 GMT", ""));
}

TEST(HttpPollClient, SplitsUrls) {
  auto p = split_url("https://feeds.example:8443/v1/ioc?since=3#frag");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->endpoint.tls);
  EXPECT_EQ(p->endpoint.port, "8443");
  EXPECT_EQ(p->target, "/v1/ioc?since=3");
  EXPECT_EQ(split_url("http://h")->target, "/");
  std::string why;
  EXPECT_FALSE(split_url("ftp://h/x", &why));
  EXPECT_NE(why.find("http://"), std::string::npos);
  EXPECT_FALSE(split_url("http://user:pw@h/x"));
}

}  // namespace
}  // namespace sluice::http_poll
