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

// Offsets are committed (synchronously) only at the take's commit, after the sink's. A commit the
// group coordinator refuses fails the take commit and seeks back: the records come again
// (duplicates of what the sink wrote, never loss).
TEST(KafkaChannel, RefusedOffsetCommitFailsTheTakeCommitAndTheRecordsComeAgain) {
  constexpr int16_t kOffsetCommitApi = 8;
  Mock m;
  {
    auto ch = open_channel(m);
    {
      auto tx = ch->begin();
      for (int i = 0; i < 20; ++i) tx->put(Event(std::to_string(i)));
      tx->commit();
    }
    ASSERT_EQ(take_n(*ch, 10, false).size(), 10u);  // the consumer group has joined
    rd_kafka_mock_push_request_errors(m.mc, kOffsetCommitApi, 1, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED);
    {
      auto tx = ch->begin();
      for (int i = 0; i < 50 && tx->taken().size() < 10; ++i) tx->take(10 - tx->taken().size(), true);
      ASSERT_EQ(tx->taken().size(), 10u);
      try {
        tx->commit();
        FAIL() << "a refused offset commit was reported as committed";
      } catch (const ChannelException& e) {
        EXPECT_NE(std::string(e.what()).find("offset commit failed"), std::string::npos) << e.what();
      }
    }
    auto again = take_n(*ch, 10, true);
    ASSERT_EQ(again.size(), 10u);
    EXPECT_EQ(again.front().body, "0");  // taken again
    ch->stop();
  }
  auto ch = open_channel(m);  // same group: after the committed offset
  auto rest = take_n(*ch, 10, true);
  ASSERT_EQ(rest.size(), 10u);
  EXPECT_EQ(rest.front().body, "10");
  ch->stop();
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

// Events that name no partition: each put goes to one partition, the next put to the next one (as
// Kafka's Java producer fills one partition per batch), not record by record through librdkafka's
// partitioner, whose sticky period put several puts on one partition and split others in two.
TEST(KafkaChannel, EachPutGoesToOnePartitionInTurn) {
  test::KafkaMock m("chan", 1, 4);
  auto ch = open_channel(m);
  for (int put = 0; put < 8; ++put) {
    auto tx = ch->begin();
    for (int i = 0; i < 10; ++i) tx->put(Event(std::to_string(put * 10 + i)));
    tx->commit();
  }
  for (int32_t p = 0; p < 4; ++p) EXPECT_EQ(m.high_watermark("chan", p), 20) << "partition " << p;
  ch->stop();
}

// Flume: an event's "key" header is the record key (records with one key share a partition), and a
// taken record's key comes back as the "key" header (bodies only, so no header rides in the record).
TEST(KafkaChannel, KeyHeaderIsTheRecordKey) {
  test::KafkaMock m("chan", 1, 4);
  auto ch = open_channel(m, {{"parseAsFlumeEvent", "false"}});
  for (int put = 0; put < 4; ++put) {
    auto tx = ch->begin();
    for (int i = 0; i < 5; ++i) {
      Event e(std::to_string(put * 5 + i));
      e.headers.set("key", "client-7");
      tx->put(std::move(e));
    }
    tx->commit();
  }
  int with_records = 0;
  for (int32_t p = 0; p < 4; ++p) with_records += m.high_watermark("chan", p) > 0;
  EXPECT_EQ(with_records, 1) << "records with one key went to several partitions";
  auto got = take_n(*ch, 20, true);
  ASSERT_EQ(got.size(), 20u);
  for (const auto& e : got) EXPECT_EQ(e.headers.get("key"), "client-7");
  ch->stop();
}

// Flume: partitionIdHeader names the partition, and wins over defaultPartitionId; events without the
// header go to defaultPartitionId.
TEST(KafkaChannel, DefaultPartitionIdAndPartitionIdHeaderChooseThePartition) {
  test::KafkaMock m("chan", 1, 4);
  auto ch = open_channel(m, {{"defaultPartitionId", "2"}, {"partitionIdHeader", "part"}});
  {
    auto tx = ch->begin();
    for (int i = 0; i < 10; ++i) {
      Event e(std::to_string(i));
      if (i < 3) e.headers.set("part", "3");
      else if (i < 5) e.headers.set("part", "0");
      tx->put(std::move(e));  // 5..9: no header
    }
    tx->commit();
  }
  EXPECT_EQ(m.high_watermark("chan", 0), 2);
  EXPECT_EQ(m.high_watermark("chan", 1), 0);
  EXPECT_EQ(m.high_watermark("chan", 2), 5);
  EXPECT_EQ(m.high_watermark("chan", 3), 3);
  EXPECT_EQ(take_n(*ch, 10, true).size(), 10u);  // the channel's consumer reads every partition
  ch->stop();
}

// Flume: "the event will not be accepted into the channel". The whole put fails before anything is
// produced (as for a record too large), so offering it again adds no duplicates of its neighbours.
TEST(KafkaChannel, PartitionThatDoesNotExistRefusesThePutNothingWritten) {
  test::KafkaMock m("chan", 1, 4);
  auto ch = open_channel(m, {{"partitionIdHeader", "part"}});
  auto put = [&](const std::string& part) -> std::string {
    auto tx = ch->begin();
    tx->put(Event("a"));
    Event e("b");
    e.headers.set("part", part);
    tx->put(std::move(e));
    tx->put(Event("c"));
    try {
      tx->commit();
      return "";
    } catch (const ChannelException& ex) {
      return ex.what();
    }
  };
  std::string err = put("7");
  EXPECT_NE(err.find("event 1 of the batch: partition 7 does not exist: topic chan has 4 partitions (0..3)"),
            std::string::npos) << err;
  EXPECT_NE(err.find("nothing was written"), std::string::npos) << err;
  err = put("abc");  // atoi made this partition 0
  EXPECT_NE(err.find("header part = 'abc' is not a partition number"), std::string::npos) << err;
  err = put("-1");  // librdkafka's "any partition"
  EXPECT_NE(err.find("header part = '-1' is not a partition number"), std::string::npos) << err;
  for (int p = 0; p < 4; ++p) EXPECT_EQ(m.high_watermark("chan", p), 0) << "partition " << p;
  EXPECT_EQ(ch->metrics()->counter("BadPartitionCount").get(), 3);
  EXPECT_EQ(put("3"), "");  // a partition that exists: accepted
  // 'a' and 'c' carry no header: librdkafka's partitioner places them, possibly on partition 3 too
  // (the header's routing itself is checked in DefaultPartitionIdAndPartitionIdHeaderChooseThePartition).
  int64_t total = 0;
  for (int p = 0; p < 4; ++p) total += m.high_watermark("chan", p);
  EXPECT_EQ(total, 3);
  EXPECT_GE(m.high_watermark("chan", 3), 1);
  ch->stop();

  auto by_default = open_channel(m, {{"defaultPartitionId", "4"}});
  auto tx = by_default->begin();
  tx->put(Event("x"));
  EXPECT_THROW(tx->commit(), ChannelException);
}

TEST(KafkaChannel, DefaultPartitionIdMustBeAPartitionNumber) {
  Diagnostics d;
  auto ctx = make_context({{"kafka.bootstrap.servers", "127.0.0.1:9"}, {"defaultPartitionId", "two"}}, &d,
                          "channel kc (type kafka)", "a1.channels.kc.");
  KafkaChannel ch("kc", ctx);
  EXPECT_TRUE(d.has_errors());
  EXPECT_NE(d.format().find("a1.channels.kc.defaultPartitionId"), std::string::npos) << d.format();
}

TEST(KafkaChannel, LegacyKeysAndUnknownProperties) {
  Diagnostics d;
  auto ctx = make_context({{"brokerList", "127.0.0.1:9"}, {"zookeeperConnect", "zk:2181"},
                           {"kafka.consumer.bogus.property", "1"}},
                          &d, "channel kc (type kafka)", "a1.channels.kc.");
  KafkaChannel ch("kc", ctx);
  EXPECT_TRUE(ch.durable());  // what is not taken stays in the topic: shutdown says "kept", not "lost"
  std::string out = d.format();
  EXPECT_NE(out.find("brokerList: is deprecated"), std::string::npos) << out;
  EXPECT_NE(out.find("zookeeperConnect: is ignored"), std::string::npos) << out;
  EXPECT_NE(out.find("a1.channels.kc.kafka.consumer.bogus.property"), std::string::npos) << out;
}

}  // namespace
}  // namespace sluice
