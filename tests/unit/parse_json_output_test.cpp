// parse interceptor's JSON writer: escapes, invalid UTF-8 replaced, numbers, random round trips.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>

#include "interceptors/parse/json_output.hpp"

namespace sluice {
namespace {

// Valid UTF-8 of every kind (controls, quotes, backslashes, 2-4 byte characters) at every offset
// round-trips through append_json_string and Boost.JSON unchanged.
TEST(ParseJsonOutput, RoundTripsRandomUtf8) {
  std::mt19937 r(99);
  const std::vector<std::string> pieces = {"a",
                                           "Z",
                                           " ",
                                           "\"",
                                           "\\",
                                           "\n",
                                           "\x01",
                                           "\x1f",
                                           "\x7f",
                                           "/",
                                           "\xc3\xa9",
                                           "\xe2\x82\xac",
                                           "\xf0\x9f\x98\x80",
                                           "\xef\xbf\xbd"};
  for (int i = 0; i < 2000; ++i) {
    std::string in;
    for (size_t n = r() % 40; n > 0; --n) in += pieces[r() % pieces.size()];
    std::string out;
    parse::append_json_string(out, in);
    boost::system::error_code ec;
    auto v = boost::json::parse(out, ec);
    ASSERT_FALSE(ec) << out;
    ASSERT_EQ(v.as_string(), in) << out;
  }
}

TEST(ParseJsonOutput, EscapesAndNumbers) {
  std::string out;
  parse::append_json_string(out, std::string("a\"b\\c\n\x7f\xe2\x82\xac\xed\xa0\x80", 13));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\x7f\xe2\x82\xac\\ufffd\\ufffd\\ufffd\"");
  EXPECT_TRUE(parse::is_json_number("-0.5e10"));
  EXPECT_FALSE(parse::is_json_number("007"));
  EXPECT_FALSE(parse::is_json_number("+1"));
  EXPECT_EQ(parse::invalid_utf8_offset("ok\xc3\xa9\xc0\xaf"), 4u);  // overlong '/'
}

}  // namespace
}  // namespace sluice
