// The Kafka channel on librdkafka's in-process mock cluster: put/take/commit, rollback redelivery,
// committed offsets survive a new consumer, malformed records become marked events.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <thread>

#include "agent/avro/flume_event.hpp"
#include "channels/kafka_channel.hpp"
#include "kafka_mock.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using test::make_context;
using test::open_channel;

struct Mock : test::KafkaMock {
  Mock() : KafkaMock("chan") {}
};

// Takes until n events arrived or ~15 s passed (the consumer group takes a moment to join).
std::vector<Event> take_n(Channel& ch, size_t n, bool commit) {
  auto tx = ch.begin();
  for (int i = 0; i < 50 && tx->taken().size() < n; ++i) tx->take(n - tx->taken().size(), true);
  std::vector<Event> out(tx->taken().begin(), tx->taken().end());
  if (commit) tx->commit();
  else tx->rollback();
  return out;
}

TEST(KafkaChannel, PutTakeRollbackRedeliversCommitIsFinal) {
  Mock m;
  {
    auto ch = open_channel(m);
    {
      auto tx = ch->begin();
      for (int i = 0; i < 20; ++i) {
        Event e(std::to_string(i));
        e.headers.set("n", std::to_string(i));
        tx->put(std::move(e));
      }
      tx->commit();  // acknowledged by the broker
    }
    auto first = take_n(*ch, 5, false);  // rolled back
    ASSERT_EQ(first.size(), 5u);
    auto again = take_n(*ch, 5, true);
    ASSERT_EQ(again.size(), 5u);
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(again[i].body, first[i].body);  // the same records came again
      EXPECT_EQ(again[i].headers.get("n"), std::to_string(i));
    }
    ch->stop();
  }
  auto ch = open_channel(m);  // same group: continues after the committed offset
  auto rest = take_n(*ch, 15, true);
  ASSERT_EQ(rest.size(), 15u);
  EXPECT_EQ(rest.front().body, "5");
  EXPECT_EQ(rest.back().body, "19");
}

TEST(KafkaChannel, MalformedRecordsAreMarkedNotDropped) {
  Mock m;
  char err[256];
  rd_kafka_conf_t* c = rd_kafka_conf_new();
  rd_kafka_conf_set(c, "bootstrap.servers", m.bootstrap().c_str(), err, sizeof err);
  rd_kafka_t* p = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
  std::string junk = "\x80\x80 not avro";
  rd_kafka_producev(p, RD_KAFKA_V_TOPIC("chan"), RD_KAFKA_V_VALUE(junk.data(), junk.size()), RD_KAFKA_V_END);
  std::string good = avro::encode_flume_event(Event("fine"));
  rd_kafka_producev(p, RD_KAFKA_V_TOPIC("chan"), RD_KAFKA_V_VALUE(good.data(), good.size()), RD_KAFKA_V_END);
  rd_kafka_flush(p, 5000);
  rd_kafka_destroy(p);
  auto ch = open_channel(m);
  auto got = take_n(*ch, 2, true);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body, junk);
  EXPECT_NE(got[0].headers.get("flume.kafka.error").find("not an AvroFlumeEvent"), std::string::npos);
  EXPECT_EQ(got[1].body, "fine");
  EXPECT_FALSE(got[1].headers.contains("flume.kafka.error"));
}

// An idle sink runner wakes early only when size() > 0: with 0 it slept up to 5 s after each empty
// take while records waited in Kafka.
TEST(KafkaChannel, SizeCountsFetchedRecordsUntilTaken) {
  Mock m;
  auto ch = open_channel(m);
  EXPECT_EQ(ch->size(), 0u);
  {
    auto tx = ch->begin();
    for (int i = 0; i < 20; ++i) tx->put(Event(std::to_string(i)));
    tx->commit();
  }
  for (int i = 0; i < 300 && ch->size() < 20; ++i)  // the group joins, then the consumer fetches
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GE(ch->size(), 20u);  // librdkafka's queue length: the records, and a control op or so
  ASSERT_EQ(take_n(*ch, 20, true).size(), 20u);
  EXPECT_EQ(ch->size(), 0u);
  ch->stop();
}

TEST(KafkaChannel, LegacyKeysAndUnknownProperties) {
  Diagnostics d;
  auto ctx = make_context({{"brokerList", "127.0.0.1:9"}, {"zookeeperConnect", "zk:2181"},
                           {"kafka.consumer.bogus.property", "1"}},
                          &d, "channel kc (type kafka)", "a1.channels.kc.");
  KafkaChannel ch("kc", ctx);
  std::string out = d.format();
  EXPECT_NE(out.find("brokerList: is deprecated"), std::string::npos) << out;
  EXPECT_NE(out.find("zookeeperConnect: is ignored"), std::string::npos) << out;
  EXPECT_NE(out.find("a1.channels.kc.kafka.consumer.bogus.property"), std::string::npos) << out;
}

}  // namespace
}  // namespace sluice
