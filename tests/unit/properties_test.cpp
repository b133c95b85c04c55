#include <gtest/gtest.h>

#include "agent/properties.hpp"
#include "agent/yaml_config.hpp"

namespace sluice {
namespace {

std::vector<ConfigEntry> parse(const std::string& text, Diagnostics& d) { return parse_properties(text, "f.conf", d); }

TEST(Properties, SeparatorsCommentsAndLines) {
  Diagnostics d;
  auto e = parse("# comment\n! also comment\n\na=1\nb : 2\nc 3\n  d=  4 \n", d);
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].key, "a");
  EXPECT_EQ(e[0].value, "1");
  EXPECT_EQ(e[0].where.line, 4);
  EXPECT_EQ(e[1].key, "b");
  EXPECT_EQ(e[1].value, "2");
  EXPECT_EQ(e[2].key, "c");
  EXPECT_EQ(e[2].value, "3");
  EXPECT_EQ(e[3].key, "d");
  EXPECT_EQ(e[3].value, "4 ");  // Java keeps trailing whitespace
  EXPECT_FALSE(d.has_errors());
}

TEST(Properties, ContinuationKeepsFirstLineNumber) {
  Diagnostics d;
  auto e = parse("x=1\na1.sources = r1 \\\n     r2 \\\n  r3\ny=2\n", d);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[1].value, "r1 r2 r3");
  EXPECT_EQ(e[1].where.line, 2);
  EXPECT_EQ(e[2].where.line, 5);
}

TEST(Properties, EvenBackslashesDoNotContinue) {
  Diagnostics d;
  auto e = parse("path=C:\\\\\nnext=1\n", d);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].value, "C:\\");
}

TEST(Properties, Escapes) {
  Diagnostics d;
  auto e = parse("k\\ ey=a\\tb\\n\\u00e9\\=\\:\n", d);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].key, "k ey");
  EXPECT_EQ(e[0].value, "a\tb\n\xc3\xa9=:");
}

TEST(Properties, MalformedUnicodeEscapeIsAnError) {
  Diagnostics d;
  parse("k=\\u12\n", d);
  EXPECT_TRUE(d.has_errors());
  EXPECT_NE(d.format().find("f.conf:1"), std::string::npos);
}

TEST(Properties, CrLfAndDuplicateKeys) {
  Diagnostics d;
  auto e = parse("a=1\r\nb=2\r\na=3\r\n", d);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].value, "3");
  EXPECT_EQ(e[0].where.line, 3);
  EXPECT_FALSE(d.has_errors());
  EXPECT_NE(d.format().find("defined again (first at line 1)"), std::string::npos);
}

TEST(YamlConfig, FlattensToTheSameKeys) {
  Diagnostics d;
  auto e = parse_yaml_config(
      "a1:\n"
      "  sources:\n"
      "    r1:\n"
      "      type: netcat\n"
      "      channels: [c1, c2]\n"
      "      selector: {type: multiplexing, mapping: {US: c1}}\n"
      "  channels:\n"
      "    c1: {type: memory, capacity: 1000}\n"
      "    c2: {type: memory}\n",
      "a.yaml", d);
  ASSERT_FALSE(d.has_errors()) << d.format();
  std::map<std::string, std::string> kv;
  std::map<std::string, int> line;
  for (auto& x : e) {
    kv[x.key] = x.value;
    line[x.key] = x.where.line;
  }
  EXPECT_EQ(kv["a1.sources"], "r1");
  EXPECT_EQ(kv["a1.channels"], "c1 c2");
  EXPECT_EQ(kv["a1.sources.r1.type"], "netcat");
  EXPECT_EQ(kv["a1.sources.r1.channels"], "c1 c2");
  EXPECT_EQ(kv["a1.sources.r1.selector.mapping.US"], "c1");
  EXPECT_EQ(kv["a1.channels.c1.capacity"], "1000");
  EXPECT_EQ(line["a1.sources.r1.type"], 4);
}

TEST(YamlConfig, SyntaxErrorHasLine) {
  Diagnostics d;
  parse_yaml_config("a1:\n  sources: [unclosed\n", "bad.yaml", d);
  ASSERT_TRUE(d.has_errors());
  EXPECT_NE(d.format().find("bad.yaml:"), std::string::npos);
  EXPECT_NE(d.format().find("YAML syntax error"), std::string::npos);
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {
TEST(YamlConfig, NullTypeNamesTheNullSink) {
  Diagnostics d;
  auto e = parse_yaml_config("a1:\n  sinks:\n    k1: {type: null, channel: c1}\n    k2:\n      type: NULL\n      x: ~\n",
                             "n.yaml", d);
  std::map<std::string, std::string> kv;
  for (auto& x : e) kv[x.key] = x.value;
  EXPECT_EQ(kv["a1.sinks.k1.type"], "null");
  EXPECT_EQ(kv["a1.sinks.k2.type"], "NULL");
  EXPECT_EQ(kv["a1.sinks.k2.x"], "");
}
}  // namespace
}  // namespace sluice
