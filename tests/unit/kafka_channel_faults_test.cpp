// Fault cases of the Kafka channel on librdkafka's mock cluster: brokers down at start and
// mid-stream, a missing topic, records too large, a leader change. In each, a failed put is a
// ChannelException (the source backs off and offers the batch again) and nothing is lost.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <map>

#include "channels/kafka_channel.hpp"
#include "kafka_mock.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

// A failed put gives up after 2 s instead of 30 (the brokers are down on purpose).
std::unique_ptr<KafkaChannel> open(const test::KafkaMock& m, std::map<std::string, std::string> extra = {}) {
  extra.emplace("deliveryTimeout", "2000");
  return test::open_channel(m, extra);
}

// Offers events [from, from+n) in one put transaction, as a source does; returns the error or "".
std::string put_range(Channel& ch, int from, int n, size_t pad = 0) {
  auto tx = ch.begin();
  for (int i = from; i < from + n; ++i) tx->put(Event(std::to_string(i) + std::string(pad, ' ')));
  try {
    tx->commit();
    return "";
  } catch (const ChannelException& e) {
    return e.what();
  }
}

constexpr int16_t kProduceApi = 0;  // ProduceRequest's ApiKey

// Takes and commits until `want` events were seen (or ~20 s passed) and then one take came back
// empty, so duplicates after the wanted ones are seen too; returns how often each number came.
std::map<int, int> drain(Channel& ch, size_t want) {
  std::map<int, int> seen;
  size_t total = 0;
  for (int i = 0; i < 70; ++i) {
    auto tx = ch.begin();
    size_t got = tx->take(500, true);
    for (auto& e : tx->taken()) seen[std::stoi(e.body)]++, total++;
    tx->commit();
    if (got == 0 && total >= want) break;
  }
  return seen;
}

// Every number in [0, n) is present; returns how many extra copies there were.
int check_all_present(const std::map<int, int>& seen, int n) {
  int dups = 0;
  for (int i = 0; i < n; ++i) {
    auto it = seen.find(i);
    EXPECT_TRUE(it != seen.end()) << "event " << i << " lost";
    if (it != seen.end()) dups += it->second - 1;
  }
  EXPECT_EQ(static_cast<int>(seen.size()), n) << "numbers outside the range";
  return dups;
}

TEST(KafkaChannelFaults, BrokerDownAtStartPutFailsThenRecoversWithoutRestart) {
  test::KafkaMock m("chan");
  rd_kafka_mock_broker_set_down(m.mc, 1);
  auto ch = open(m);
  std::string err = put_range(*ch, 0, 10);
  EXPECT_NE(err.find("kafka channel kc"), std::string::npos) << err;
  EXPECT_NE(err.find("topic chan"), std::string::npos) << err;
  rd_kafka_mock_broker_set_up(m.mc, 1);
  int tries = 1;
  while (!put_range(*ch, 0, 10).empty() && tries < 15) ++tries;  // the source offers the batch again
  ASSERT_LT(tries, 15) << "the channel did not recover after the broker came back";
  auto seen = drain(*ch, 10);
  EXPECT_EQ(check_all_present(seen, 10), 0);
}

// The mock cluster has no SASL: the client's log-in fails on every connection. The put times out,
// and its error says why (librdkafka's error callback), not only that nothing was acknowledged.
TEST(KafkaChannelFaults, TimedOutPutNamesTheClientErrorBehindIt) {
  test::KafkaMock m("chan");
  auto ch = open(m, {{"kafka.producer.security.protocol", "SASL_PLAINTEXT"},
                     {"kafka.producer.sasl.mechanisms", "PLAIN"},
                     {"kafka.producer.sasl.username", "u"},
                     {"kafka.producer.sasl.password", "p"}});
  std::string err = put_range(*ch, 0, 3);
  EXPECT_NE(err.find("no acknowledgement within deliveryTimeout"), std::string::npos) << err;
  EXPECT_NE(err.find("last client error: "), std::string::npos) << err;
  EXPECT_NE(err.find("SASL"), std::string::npos) << err;
}

TEST(KafkaChannelFaults, BrokerDownMidStreamBackpressureNoLoss) {
  test::KafkaMock m("chan");
  auto ch = open(m);
  const int batch = 20, batches = 10;
  int failures = 0;
  for (int b = 0; b < batches; ++b) {
    if (b == 4) {  // the outage: every offer of the batch fails with a ChannelException
      rd_kafka_mock_broker_set_down(m.mc, 1);
      for (int i = 0; i < 2; ++i) {
        std::string err = put_range(*ch, b * batch, batch);
        EXPECT_NE(err.find("kafka channel kc"), std::string::npos) << err;
        failures += !err.empty();
      }
      rd_kafka_mock_broker_set_up(m.mc, 1);
    }
    int tries = 0;
    std::string last;
    while (!(last = put_range(*ch, b * batch, batch)).empty() && ++tries < 15) ++failures;
    ASSERT_LT(tries, 15) << "batch " << b << " never accepted: " << last;
  }
  EXPECT_GE(failures, 2);
  auto seen = drain(*ch, batch * batches);
  EXPECT_LE(check_all_present(seen, batch * batches), failures * batch);
}

TEST(KafkaChannelFaults, MissingTopicIsAClearErrorNamingIt) {
  test::KafkaMock m("no-such-topic");  // the mock creates topics on demand: make it answer "unknown"
  rd_kafka_mock_topic_set_error(m.mc, "no-such-topic", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  auto ch = open(m, {{"kafka.topic", "no-such-topic"}});
  std::string err = put_range(*ch, 0, 5);
  EXPECT_NE(err.find("topic no-such-topic does not exist"), std::string::npos) << err;
}

TEST(KafkaChannelFaults, TooLargeRecordFailsTheWholePutBeforeAnythingIsProduced) {
  test::KafkaMock m("chan");
  auto ch = open(m, {{"kafka.producer.message.max.bytes", "10000"}});
  auto tx = ch->begin();
  tx->put(Event("0"));
  tx->put(Event(std::string(20000, 'x')));
  tx->put(Event("2"));
  try {
    tx->commit();
    FAIL() << "a record over message.max.bytes was accepted";
  } catch (const ChannelException& e) {
    std::string w = e.what();
    EXPECT_NE(w.find("too large"), std::string::npos) << w;
    EXPECT_NE(w.find("message.max.bytes"), std::string::npos) << w;
  }
  tx.reset();
  // Nothing of the batch was written: offering it again cannot pile up duplicates of its neighbours.
  EXPECT_EQ(m.high_watermark("chan"), 0);
  EXPECT_EQ(put_range(*ch, 0, 3), "");  // the channel is still healthy
  EXPECT_EQ(check_all_present(drain(*ch, 3), 3), 0);
}

TEST(KafkaChannelFaults, BrokerRejectsRecordAsTooLargeThenAcceptsTheRetry) {
  test::KafkaMock m("chan");
  auto ch = open(m);
  ASSERT_EQ(put_range(*ch, 0, 5), "");
  rd_kafka_mock_push_request_errors(m.mc, kProduceApi, 1, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  std::string err = put_range(*ch, 5, 5);
  EXPECT_NE(err.find("too large"), std::string::npos) << err;
  int tries = 0;
  while (!put_range(*ch, 5, 5).empty() && ++tries < 15) {
  }
  ASSERT_LT(tries, 15) << "the producer did not recover after the rejection";
  EXPECT_EQ(check_all_present(drain(*ch, 10), 10), 0);
}

TEST(KafkaChannelFaults, LeaderChangeMidStreamNoLossNoDuplicates) {
  test::KafkaMock m("chan", 3);
  auto ch = open(m);
  const int batch = 25, batches = 12;
  std::map<int, int> seen;
  int failures = 0;
  for (int b = 0; b < batches; ++b) {
    if (b == 3) rd_kafka_mock_partition_set_leader(m.mc, "chan", 0, 2);
    if (b == 7) rd_kafka_mock_partition_set_leader(m.mc, "chan", 0, 3);
    int tries = 0;
    while (!put_range(*ch, b * batch, batch).empty() && ++tries < 15) ++failures;
    ASSERT_LT(tries, 15);
    for (auto& [n, c] : drain(*ch, batch)) seen[n] += c;  // takes interleaved with the changes
  }
  EXPECT_LE(check_all_present(seen, batch * batches), failures * batch);
}

}  // namespace
}  // namespace sluice
