#include <gtest/gtest.h>

#include <thread>

#include "channels/memory_channel.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using test::make_context;

std::unique_ptr<MemoryChannel> channel(std::map<std::string, std::string> kv, Diagnostics* d = nullptr) {
  Diagnostics local;
  auto ctx = make_context(kv, d ? d : &local);
  return std::make_unique<MemoryChannel>("c1", ctx);
}

void put(Channel& ch, std::vector<std::string> bodies) {
  auto tx = ch.begin();
  for (auto& b : bodies) tx->put(Event(b));
  tx->commit();
}

TEST(MemoryChannel, FlumeDefaults) {
  auto ch = channel({});
  EXPECT_EQ(ch->capacity(), 100u);
  EXPECT_EQ(ch->transaction_capacity(), 100u);
}

TEST(MemoryChannel, PutIsInvisibleUntilCommit) {
  auto ch = channel({{"keep-alive", "0"}});
  auto tx = ch->begin();
  tx->put(Event("a"));
  EXPECT_EQ(ch->size(), 0u);
  auto reader = ch->begin();
  EXPECT_EQ(reader->take(10), 0u);
  reader->commit();
  tx->commit();
  EXPECT_EQ(ch->size(), 1u);
}

TEST(MemoryChannel, RollbackOfTakeRestoresOrder) {
  auto ch = channel({{"keep-alive", "0"}});
  put(*ch, {"1", "2", "3", "4"});
  {
    auto tx = ch->begin();
    EXPECT_EQ(tx->take(2), 2u);
    tx->rollback();
  }
  auto tx = ch->begin();
  EXPECT_EQ(tx->take(10), 4u);
  std::vector<std::string> got;
  for (auto& e : tx->taken()) got.push_back(e.body);
  EXPECT_EQ(got, (std::vector<std::string>{"1", "2", "3", "4"}));
  tx->commit();
  EXPECT_EQ(ch->size(), 0u);
}

TEST(MemoryChannel, UncommittedTransactionRollsBackOnDestruction) {
  auto ch = channel({{"keep-alive", "0"}});
  put(*ch, {"x"});
  {
    auto tx = ch->begin();
    EXPECT_EQ(tx->take(1), 1u);
  }
  EXPECT_EQ(ch->size(), 1u);
}

TEST(MemoryChannel, FullChannelRejectsCommitAndKeepsNothing) {
  auto ch = channel({{"capacity", "3"}, {"transactionCapacity", "3"}, {"keep-alive", "0"}});
  put(*ch, {"a", "b"});
  auto tx = ch->begin();
  tx->put(Event("c"));
  tx->put(Event("d"));
  EXPECT_THROW(tx->commit(), ChannelException);
  tx->rollback();
  EXPECT_EQ(ch->size(), 2u);
}

TEST(MemoryChannel, TakenButUncommittedEventsStillOccupyCapacity) {
  auto ch = channel({{"capacity", "2"}, {"transactionCapacity", "2"}, {"keep-alive", "0"}});
  put(*ch, {"a", "b"});
  auto taker = ch->begin();
  EXPECT_EQ(taker->take(2), 2u);
  auto tx = ch->begin();
  tx->put(Event("c"));
  EXPECT_THROW(tx->commit(), ChannelException);  // as in Flume: room frees only at the take's commit
  tx->rollback();
  taker->commit();
  put(*ch, {"c", "d"});
  EXPECT_EQ(ch->size(), 2u);
}

TEST(MemoryChannel, TransactionCapacityBoundsPutsAndTakes) {
  auto ch = channel({{"capacity", "10"}, {"transactionCapacity", "2"}, {"keep-alive", "0"}});
  auto tx = ch->begin();
  tx->put(Event("1"));
  tx->put(Event("2"));
  EXPECT_THROW(tx->put(Event("3")), ChannelException);
  tx->commit();
  put(*ch, {"3"});
  auto t = ch->begin();
  EXPECT_EQ(t->take(10), 2u);  // capped at transactionCapacity
  EXPECT_THROW(t->take(1), ChannelException);
  t->rollback();
}

TEST(MemoryChannel, ByteCapacityBounds) {
  auto ch = channel({{"capacity", "100"}, {"byteCapacity", "100"}, {"byteCapacityBufferPercentage", "0"},
                     {"keep-alive", "0"}});
  put(*ch, {std::string(60, 'x')});
  auto tx = ch->begin();
  tx->put(Event(std::string(50, 'y')));
  EXPECT_THROW(tx->commit(), ChannelException);
}

TEST(MemoryChannel, InvalidConfigurationReported) {
  Diagnostics d;
  channel({{"capacity", "10"}, {"transactionCapacity", "20"}}, &d);
  EXPECT_NE(d.format().find("transactionCapacity: (20) must not exceed capacity (10)"), std::string::npos)
      << d.format();
  Diagnostics d2;
  channel({{"capacity", "0"}}, &d2);
  EXPECT_TRUE(d2.has_errors());
}

TEST(MemoryChannel, CommitWaitsForRoomWithinKeepAlive) {
  auto ch = channel({{"capacity", "1"}, {"transactionCapacity", "1"}, {"keep-alive", "3"}});
  put(*ch, {"first"});
  std::thread drainer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto tx = ch->begin();
    tx->take(1);
    tx->commit();
  });
  put(*ch, {"second"});  // blocks until the drainer frees room
  drainer.join();
  EXPECT_EQ(ch->size(), 1u);
}

TEST(MemoryChannel, ConcurrentProducersAndConsumersLoseAndDuplicateNothing) {
  auto ch = channel({{"capacity", "500"}, {"transactionCapacity", "50"}, {"keep-alive", "1"}});
  constexpr int kProducers = 4, kPerProducer = 5000;
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; i += 10) {
        while (true) {
          auto tx = ch->begin();
          for (int k = 0; k < 10; ++k) tx->put(Event(std::to_string(p * kPerProducer + i + k)));
          try {
            tx->commit();
            break;
          } catch (const ChannelException&) {
            tx->rollback();
          }
        }
      }
      done++;
    });
  }
  std::vector<int> seen(kProducers * kPerProducer, 0);
  std::mutex mu;
  std::vector<std::thread> consumers;
  for (int c = 0; c < 2; ++c) {
    consumers.emplace_back([&, c] {
      int round = 0;
      while (done < kProducers || ch->size() > 0) {
        auto tx = ch->begin();
        tx->take(50, false);
        // Every third batch of one consumer is rolled back: those events must come again.
        if (c == 0 && ++round % 3 == 0) {
          tx->rollback();
          continue;
        }
        std::lock_guard l(mu);
        for (auto& e : tx->taken()) seen[std::stoi(e.body)]++;
        tx->commit();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& t : consumers) t.join();
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], 1) << "event " << i;
  EXPECT_EQ(ch->size(), 0u);
}

}  // namespace
}  // namespace sluice
