// Java Kafka client property names under kafka.producer.* / kafka.consumer.*: renamed to
// librdkafka's, ignored, or an error naming what to write instead; the rest untouched.
#include <gtest/gtest.h>

#include "channels/kafka_channel.hpp"
#include "channels/kafka_properties.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using test::make_context;

TEST(KafkaProperties, JavaNamesAreRenamedIgnoredOrExplained) {
  Diagnostics d;
  auto ctx = make_context({}, &d, "channel kc (type kafka)", "a1.channels.kc.");
  std::map<std::string, std::string> props = {{"max.request.size", "2000000"},  {"fetch.max.wait.ms", "100"},
                                              {"buffer.memory", "33554432"},     {"key.serializer", "x.StringSerializer"},
                                              {"max.poll.records", "500"},       {"linger.ms", "5"},
                                              {"sasl.jaas.config", "org...PlainLoginModule required;"}};
  map_java_kafka_properties(ctx, "kafka.producer.", props);
  std::map<std::string, std::string> want = {{"message.max.bytes", "2000000"},
                                             {"fetch.wait.max.ms", "100"},
                                             {"queue.buffering.max.kbytes", "32768"},
                                             {"linger.ms", "5"}};
  EXPECT_EQ(props, want);
  std::string out = d.format();
  EXPECT_TRUE(d.has_errors());
  EXPECT_NE(out.find("kafka.producer.sasl.jaas.config: is Java's JAAS syntax: set sasl.username"), std::string::npos) << out;
  EXPECT_NE(out.find("kafka.producer.max.request.size: is the Java client's name: passed to librdkafka as message.max.bytes"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("kafka.producer.key.serializer: is ignored"), std::string::npos) << out;
}

TEST(KafkaProperties, AnExplicitLibrdkafkaNameWinsOverTheJavaOne) {
  auto ctx = make_context({});
  std::map<std::string, std::string> props = {{"max.request.size", "2000000"}, {"message.max.bytes", "3000000"}};
  map_java_kafka_properties(ctx, "kafka.producer.", props);
  EXPECT_EQ(props, (std::map<std::string, std::string>{{"message.max.bytes", "3000000"}}));
}

// Through the channel: a Flume config with Java names starts without errors, and the record size
// limit the channel enforces before producing follows max.request.size.
TEST(KafkaProperties, ChannelAcceptsAFlumeConfigWithJavaNames) {
  Diagnostics d;
  auto ctx = make_context({{"kafka.bootstrap.servers", "127.0.0.1:9"},
                           {"kafka.producer.max.request.size", "2000"},
                           {"kafka.producer.value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer"},
                           {"kafka.consumer.fetch.max.wait.ms", "100"},
                           {"kafka.consumer.max.poll.records", "500"}},
                          &d, "channel kc (type kafka)", "a1.channels.kc.");
  KafkaChannel ch("kc", ctx);
  EXPECT_FALSE(d.has_errors()) << d.format();
  ch.start();
  auto tx = ch.begin();
  tx->put(Event(std::string(3000, 'x')));
  try {
    tx->commit();
    ADD_FAILURE() << "a 3000-byte record passed max.request.size = 2000";
  } catch (const ChannelException& e) {
    EXPECT_NE(std::string(e.what()).find("= 2000"), std::string::npos) << e.what();
  }
  tx->rollback();
  ch.stop();
}

}  // namespace
}  // namespace sluice
