// The kafka source's header keys against librdkafka's mock cluster: setTopicHeader, topicHeader, and
// (as Flume) headers an AvroFlumeEvent already carries are kept rather than overwritten.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <thread>

#include "agent/avro/flume_event.hpp"
#include "channels/memory_channel.hpp"
#include "kafka_mock.hpp"
#include "sources/kafka_source.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using test::make_context;

// Writes the records to topic with an independent producer.
void produce(const test::KafkaMock& m, const std::string& topic, const std::vector<std::string>& values) {
  char err[256];
  rd_kafka_conf_t* c = rd_kafka_conf_new();
  rd_kafka_conf_set(c, "bootstrap.servers", m.bootstrap().c_str(), err, sizeof err);
  rd_kafka_t* p = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
  for (const auto& v : values)
    rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_VALUE(const_cast<char*>(v.data()), v.size()),
                      RD_KAFKA_V_END);
  rd_kafka_flush(p, 5000);
  rd_kafka_destroy(p);
}

// Runs a kafka source with the keys (its own consumer group, so it reads the topic from the start)
// until n events reached the channel or ~20 s passed; returns them.
std::vector<Event> read_n(const test::KafkaMock& m, std::map<std::string, std::string> keys, size_t n) {
  static int group = 0;
  keys["kafka.bootstrap.servers"] = m.bootstrap();
  keys["kafka.consumer.group.id"] = "g" + std::to_string(++group);
  keys.emplace("batchDurationMillis", "100");
  Diagnostics d;
  auto ctx = make_context(keys, &d);
  KafkaSource src("r1", ctx);
  EXPECT_FALSE(d.has_errors()) << d.format();
  auto cctx = make_context({{"keep-alive", "0"}});
  MemoryChannel ch("c1", cctx);
  src.set_channel_processor(test::processor_to(&ch));
  src.start();
  for (int i = 0; i < 200 && ch.size() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  src.stop();
  auto tx = ch.begin();
  tx->take(n + 10, false);
  std::vector<Event> out(tx->taken().begin(), tx->taken().end());
  tx->commit();
  return out;
}

TEST(KafkaSource, TopicHeaderIsSetRenamedOrLeftOut) {
  test::KafkaMock m("logs");
  produce(m, "logs", {"one", "two"});

  auto plain = read_n(m, {{"kafka.topics", "logs"}}, 2);  // Flume's default: header topic
  ASSERT_EQ(plain.size(), 2u);
  EXPECT_EQ(plain[0].headers.get("topic"), "logs");

  auto renamed = read_n(m, {{"kafka.topics", "logs"}, {"topicHeader", "kafka_topic"}}, 2);
  ASSERT_EQ(renamed.size(), 2u);
  for (const auto& e : renamed) {
    EXPECT_EQ(e.headers.get("kafka_topic"), "logs");
    EXPECT_FALSE(e.headers.contains("topic"));
  }

  auto none = read_n(m, {{"kafka.topics", "logs"}, {"setTopicHeader", "false"}}, 2);
  ASSERT_EQ(none.size(), 2u);
  for (const auto& e : none) {
    EXPECT_FALSE(e.headers.contains("topic"));
    EXPECT_EQ(e.headers.get("partition"), "0");  // the other headers are still there
  }
}

// Flume sets topic, partition and offset only when the event does not already carry them, so an
// AvroFlumeEvent relayed through Kafka keeps the topic header its first agent gave it (a Kafka sink
// with allowTopicOverride then routes it as before instead of looping it back to this topic).
TEST(KafkaSource, HeadersTheFlumeEventCarriesAreKept) {
  test::KafkaMock m("relay");
  Event e("body");
  e.headers.set("topic", "origin");
  e.headers.set("partition", "7");
  produce(m, "relay", {avro::encode_flume_event(e), avro::encode_flume_event(Event("bare"))});
  auto got = read_n(m, {{"kafka.topics", "relay"}, {"useFlumeEventFormat", "true"}}, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].headers.get("topic"), "origin");
  EXPECT_EQ(got[0].headers.get("partition"), "7");
  EXPECT_EQ(got[0].headers.get("offset"), "0");
  EXPECT_EQ(got[1].headers.get("topic"), "relay");
  EXPECT_EQ(got[1].headers.get("partition"), "0");
}

}  // namespace
}  // namespace sluice
