#include <gtest/gtest.h>

#include "agent/context.hpp"

namespace sluice {
namespace {

Context make(std::map<std::string, std::string> kv, Diagnostics& d) {
  Context::Values v;
  int line = 1;
  for (auto& [k, val] : kv) v[k] = {val, {"x.conf", ++line}};
  return Context("sink k1 (type hdfs)", "a1.sinks.k1.", v, &d, {"x.conf", 1});
}

TEST(Context, TypedGettersAndDefaults) {
  Diagnostics d;
  auto c = make({{"n", "42"}, {"b", "TRUE"}, {"x", "1.5"}, {"mode", "Random"}, {"l", " a  b c "}}, d);
  EXPECT_EQ(c.get_int("n", 1), 42);
  EXPECT_EQ(c.get_int("missing", 7), 7);
  EXPECT_TRUE(c.get_bool("b", false));
  EXPECT_DOUBLE_EQ(c.get_double("x", 0), 1.5);
  EXPECT_EQ(c.get_choice("mode", "round_robin", {"round_robin", "random"}), "random");
  EXPECT_EQ(c.get_list("l"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(d.has_errors()) << d.format();
}

TEST(Context, BadValuesNameFileLineKeyAndExpectation) {
  Diagnostics d;
  auto c = make({{"hdfs.rollCount", "ten"}, {"port", "70000"}, {"flag", "maybe"}}, d);
  EXPECT_EQ(c.get_int("hdfs.rollCount", 10), 10);
  c.get_int("port", 0, "", 1, 65535);
  c.get_bool("flag", false);
  c.require_string("hdfs.path");
  std::string out = d.format();
  EXPECT_NE(out.find("x.conf:3: a1.sinks.k1.hdfs.rollCount: 'ten' is not a whole number (expected an integer)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("a1.sinks.k1.port: 70000 is out of range (expected 1..65535)"), std::string::npos) << out;
  EXPECT_NE(out.find("a1.sinks.k1.flag: 'maybe' is not a boolean"), std::string::npos) << out;
  EXPECT_NE(out.find("x.conf:1: a1.sinks.k1.hdfs.path: is required"), std::string::npos) << out;
  EXPECT_EQ(d.error_count(), 4u);
}

TEST(Context, UnknownKeysGetDidYouMean) {
  Diagnostics d;
  auto c = make({{"hdfs.rollcount", "5"}, {"totally.unrelated", "1"}, {"kafka.producer.linger.ms", "5"}}, d);
  c.get_int("hdfs.rollCount", 10);
  c.get_prefixed("kafka.producer.");
  c.report_unread_keys();
  std::string out = d.format();
  EXPECT_NE(out.find("warning: a1.sinks.k1.hdfs.rollcount: is not a key of sink k1 (type hdfs); did you mean "
                     "'hdfs.rollCount'?"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("a1.sinks.k1.totally.unrelated: is not a key"), std::string::npos);
  EXPECT_EQ(out.find("linger"), std::string::npos);  // consumed by the prefix family
  EXPECT_FALSE(d.has_errors());
  d.promote_warnings();
  EXPECT_TRUE(d.has_errors());
}

TEST(Context, SubContextSharesReadTracking) {
  Diagnostics d;
  auto c = make({{"selector.type", "multiplexing"}, {"selector.header", "state"}}, d);
  Context s = c.sub("selector.");
  EXPECT_EQ(s.get_string("type", ""), "multiplexing");
  EXPECT_EQ(s.get_string("header", ""), "state");
  EXPECT_EQ(s.full_key("header"), "a1.sinks.k1.selector.header");
  c.report_unread_keys();
  EXPECT_TRUE(d.items().empty()) << d.format();
}

TEST(Context, DocumentedKeysForHelp) {
  Context c;
  c.get_int("capacity", 100, "most events");
  c.get_bool("flag", true, "a flag");
  ASSERT_EQ(c.documented_keys().size(), 2u);
  EXPECT_EQ(c.documented_keys()[0].key, "capacity");
  EXPECT_EQ(c.documented_keys()[0].default_value, "100");
  EXPECT_EQ(c.documented_keys()[1].type, "bool");
}

}  // namespace
}  // namespace sluice
