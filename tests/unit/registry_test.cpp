// The registry is the one table of component types: names are unique, lookups are
// case-insensitive for Flume short names and exact for Java class names, and every key a
// component reads is documented (so `sluice help <kind> <type>` is complete).
#include <gtest/gtest.h>

#include <set>

#include "agent/component_help.hpp"
#include "agent/registry.hpp"

namespace sluice {
namespace {

template <typename Base>
void check_table(Kind kind, const std::vector<TypeEntry<Base>>& table) {
  std::set<std::string> names;
  for (const auto& e : table) {
    std::string lower(e.type);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(names.insert(lower).second) << "duplicate type " << e.type;
    for (auto alias : e.aliases) EXPECT_TRUE(names.insert(std::string(alias)).second) << "duplicate alias " << alias;
    EXPECT_FALSE(e.summary.empty()) << e.type << " has no summary";
    EXPECT_EQ(find_type(table, e.type), &e);
    std::string upper(e.type);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(find_type(table, upper), &e) << "Flume matches short type names case-insensitively";
    for (auto alias : e.aliases) EXPECT_EQ(find_type(table, alias), &e);
    for (const auto& key : component_keys(kind, std::string(e.type)))
      EXPECT_FALSE(key.doc.empty()) << kind_name(kind) << " " << e.type << ": key '" << key.key
                                    << "' is read without a doc string";
  }
}

TEST(Registry, TypesAreUniqueFindableAndDocumented) {
  check_table(Kind::Source, source_types());
  check_table(Kind::Channel, channel_types());
  check_table(Kind::Sink, sink_types());
  check_table(Kind::Interceptor, interceptor_types());
}

TEST(Registry, UnknownTypeIsNotFound) {
  EXPECT_EQ(find_type(channel_types(), "no-such-channel"), nullptr);
  // Class names are exact: a lower-cased class name is not a match.
  EXPECT_EQ(find_type(channel_types(), "org.apache.flume.channel.memorychannel"), nullptr);
  EXPECT_NE(find_type(channel_types(), "org.apache.flume.channel.MemoryChannel"), nullptr);
}

}  // namespace
}  // namespace sluice
