#include <gtest/gtest.h>

#include "channels/memory_channel.hpp"

namespace sluice {
namespace {

Context make_ctx(std::map<std::string, std::string> kv, Diagnostics* d) {
  Context::Values v;
  for (auto& [k, val] : kv) v[k] = {val, {"test.properties", 1}};
  return Context("channel c1", "a1.channels.c1.", v, d, {"test.properties", 1});
}

TEST(MemoryChannel, PutCommitTakeCommit) {
  Diagnostics d;
  auto ctx = make_ctx({{"capacity", "10"}, {"transactionCapacity", "5"}}, &d);
  MemoryChannel ch("c1", ctx);
  ASSERT_FALSE(d.has_errors());
  {
    auto tx = ch.begin();
    tx->put(Event("a"));
    tx->put(Event("b"));
    tx->commit();
  }
  EXPECT_EQ(ch.size(), 2u);
  auto tx = ch.begin();
  EXPECT_EQ(tx->take(5), 2u);
  EXPECT_EQ(tx->taken()[0].body, "a");
  EXPECT_EQ(tx->taken()[1].body, "b");
  tx->commit();
  EXPECT_EQ(ch.size(), 0u);
}

}  // namespace
}  // namespace sluice
