// KafkaPartitionChoice on the mock cluster: the partition count is asked of the brokers by one put
// at a time, and the others do not wait behind that question.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "channels/kafka_partition.hpp"
#include "kafka_mock.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

rd_kafka_t* producer_for(const test::KafkaMock& m) {
  char err[256];
  rd_kafka_conf_t* c = rd_kafka_conf_new();
  rd_kafka_conf_set(c, "bootstrap.servers", m.bootstrap().c_str(), err, sizeof err);
  return rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
}

// Once the count is known, spread() goes round the partitions.
TEST(KafkaPartitionChoice, SpreadGoesRoundThePartitions) {
  test::KafkaMock m("spread", 1, 3);
  rd_kafka_t* rk = producer_for(m);
  auto ctx = test::make_context({});
  KafkaPartitionChoice choice(ctx);
  std::set<int32_t> seen;
  int32_t first = choice.spread(rk, "spread");
  ASSERT_NE(first, RD_KAFKA_PARTITION_UA);
  seen.insert(first);
  for (int i = 1; i < 3; ++i) {
    int32_t p = choice.spread(rk, "spread");
    EXPECT_EQ(p, (first + i) % 3);
    seen.insert(p);
  }
  EXPECT_EQ(seen, (std::set<int32_t>{0, 1, 2}));
  rd_kafka_destroy(rk);
}

// The brokers answer slowly (the mock's round trip is longer than spread()'s 1 s wait). A put
// asking for the count holds no lock meanwhile: a second put on the same topic returns at once,
// with librdkafka's partitioner (the count is not known yet), while the first is still asking.
// Before, the second waited behind the first's question.
TEST(KafkaPartitionChoice, APutDoesNotWaitWhileAnotherAsksTheBrokers) {
  test::KafkaMock m("slow", 1, 2);
  rd_kafka_t* rk = producer_for(m);
  {  // connected before the brokers slow down, so the ask is the one that waits
    const rd_kafka_metadata_t* md = nullptr;
    ASSERT_EQ(rd_kafka_metadata(rk, 1, nullptr, &md, 5000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_mock_broker_set_rtt(m.mc, 1, 3000);
  auto ctx = test::make_context({});
  KafkaPartitionChoice choice(ctx);
  std::atomic<bool> asking{false}, asked{false};
  std::thread first([&] {
    asking = true;
    choice.spread(rk, "slow");
    asked = true;
  });
  while (!asking) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the first is inside its question
  EXPECT_EQ(choice.spread(rk, "slow"), RD_KAFKA_PARTITION_UA);
  EXPECT_FALSE(asked.load()) << "the second put waited for the first one's question to the brokers";
  first.join();
  rd_kafka_mock_broker_set_rtt(m.mc, 1, 0);
  rd_kafka_destroy(rk);
}

}  // namespace
}  // namespace sluice
