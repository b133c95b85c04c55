// The kafka sink against librdkafka's in-process mock cluster: delivery, and a broker outage that
// rolls the batch back (the events stay in the channel) until the broker returns.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "agent/log.hpp"
#include "channels/memory_channel.hpp"
#include "sinks/kafka_sink.hpp"
#include "kafka_mock.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using test::make_context;
using test::open_sink;

struct Mock : test::KafkaMock {
  Mock() : KafkaMock("t") {}
};

// The channel the sink takes from; keep-alive 0: an empty take answers at once.
std::unique_ptr<MemoryChannel> memory_channel() {
  auto ctx = make_context({{"keep-alive", "0"}});
  return std::make_unique<MemoryChannel>("c1", ctx);
}

TEST(KafkaSink, DeliversAndRollsBackWhileTheBrokerIsDown) {
  Mock m;
  auto ch = memory_channel();
  auto sink = open_sink(m, *ch, {{"deliveryTimeout", "1500"}, {"kafka.producer.message.timeout.ms", "1000"}});
  auto put = [&](int n) {
    auto tx = ch->begin();
    for (int i = 0; i < n; ++i) tx->put(Event("e" + std::to_string(i)));
    tx->commit();
  };
  put(10);
  EXPECT_EQ(sink->process(), Sink::Status::Ready);
  EXPECT_EQ(ch->size(), 0u);
  rd_kafka_mock_broker_set_down(m.mc, 1);
  put(5);
  EXPECT_THROW(sink->process(), DeliveryException);
  EXPECT_EQ(ch->size(), 5u);  // rolled back: nothing lost
  rd_kafka_mock_broker_set_up(m.mc, 1);
  bool delivered = false;
  for (int i = 0; i < 10 && !delivered; ++i) {
    try {
      delivered = sink->process() == Sink::Status::Ready;
    } catch (const DeliveryException&) {
    }
  }
  EXPECT_TRUE(delivered);
  EXPECT_EQ(ch->size(), 0u);
  sink->stop();
}

// librdkafka's own lines go through sluice's log under the sink's name: with the broker down, no
// "%3|...|FAIL|" line of librdkafka's reaches stderr; the failure is the sink's warning (error
// callback), and librdkafka's FAIL line, which says the same, is a debug line of the sink's.
TEST(KafkaSink, ClientLogLinesGoThroughTheAgentLogUnderTheSinkName) {
  Mock m;
  auto ch = memory_channel();
  rd_kafka_mock_broker_set_down(m.mc, 1);
  LogLevel was = Log::level();
  Log::set_level(LogLevel::Debug);
  testing::internal::CaptureStderr();
  auto sink = open_sink(m, *ch, {{"deliveryTimeout", "1500"}, {"kafka.producer.message.timeout.ms", "1000"}});
  {
    auto tx = ch->begin();
    tx->put(Event("e"));
    tx->commit();
  }
  EXPECT_THROW(sink->process(), DeliveryException);
  sink->stop();
  std::string err = testing::internal::GetCapturedStderr();
  Log::set_level(was);
  EXPECT_EQ(err.find("%3|"), std::string::npos) << err;
  EXPECT_EQ(err.find("|FAIL|"), std::string::npos) << err;
  EXPECT_NE(err.find("WARN  [k1] kafka: "), std::string::npos) << err;
  size_t fail = err.find("DEBUG [k1] kafka FAIL: ");
  ASSERT_NE(fail, std::string::npos) << err;
  EXPECT_NE(err.substr(fail, err.find('\n', fail) - fail).find("Connection refused"), std::string::npos) << err;
  EXPECT_EQ(ch->size(), 1u);
}

// Batches without keys or partition headers: each goes to one partition, the next batch to the next
// one, as the channel does with puts; a batch with keys is left to the partitioner record by record.
TEST(KafkaSink, EachKeylessBatchGoesToOnePartitionInTurn) {
  test::KafkaMock m("spread", 1, 4);
  auto ch = memory_channel();
  auto sink = open_sink(m, *ch);
  auto put = [&](int n, bool keyed) {
    auto tx = ch->begin();
    for (int i = 0; i < n; ++i) {
      Event e(std::to_string(i));
      if (keyed) e.headers.set("key", "k" + std::to_string(i));
      tx->put(std::move(e));
    }
    tx->commit();
  };
  for (int batch = 0; batch < 8; ++batch) {
    put(10, false);
    ASSERT_EQ(sink->process(), Sink::Status::Ready);
  }
  for (int32_t p = 0; p < 4; ++p) EXPECT_EQ(m.high_watermark("spread", p), 20) << "partition " << p;
  put(40, true);  // 40 keys: the partitioner hashes them over the partitions
  ASSERT_EQ(sink->process(), Sink::Status::Ready);
  int spread_over = 0;
  for (int32_t p = 0; p < 4; ++p) spread_over += m.high_watermark("spread", p) > 20;
  EXPECT_GT(spread_over, 1);
  sink->stop();
}

// The mock cluster has no SASL, so every log-in fails: the batch times out and the error says why.
TEST(KafkaSink, TimedOutBatchNamesTheClientErrorBehindIt) {
  Mock m;
  auto ch = memory_channel();
  auto sink = open_sink(m, *ch, {{"deliveryTimeout", "1500"}, {"kafka.producer.security.protocol", "SASL_PLAINTEXT"},
                                 {"kafka.producer.sasl.mechanisms", "PLAIN"}, {"kafka.producer.sasl.username", "u"},
                                 {"kafka.producer.sasl.password", "p"}});
  {
    auto tx = ch->begin();
    tx->put(Event("e"));
    tx->commit();
  }
  try {
    sink->process();
    FAIL() << "delivered without a log-in";
  } catch (const DeliveryException& e) {
    std::string w = e.what();
    EXPECT_NE(w.find("no acknowledgement within deliveryTimeout (last client error: "), std::string::npos) << w;
    EXPECT_NE(w.find("SASL"), std::string::npos) << w;
  }
  EXPECT_EQ(ch->size(), 1u);  // rolled back
  sink->stop();
}

// Flume's behaviour, kept: the batch fails and is retried (the runner backs off); nothing is lost,
// and since nothing of the batch is produced, the retries add no duplicates of its neighbours.
TEST(KafkaSink, TooLargeEventFailsTheBatchBeforeAnythingIsProduced) {
  Mock m;
  auto ch = memory_channel();
  auto sink = open_sink(m, *ch, {{"kafka.producer.message.max.bytes", "10000"}});
  {
    auto tx = ch->begin();
    tx->put(Event("small"));
    tx->put(Event(std::string(20000, 'x')));
    tx->put(Event("small"));
    tx->commit();
  }
  for (int i = 0; i < 3; ++i) {
    try {
      sink->process();
      FAIL() << "an event over message.max.bytes was delivered";
    } catch (const DeliveryException& e) {
      std::string w = e.what();
      EXPECT_NE(w.find("too large"), std::string::npos) << w;
      EXPECT_NE(w.find("kafka.producer.message.max.bytes"), std::string::npos) << w;
    }
  }
  EXPECT_EQ(ch->size(), 3u);                // rolled back each time: nothing lost
  EXPECT_EQ(m.high_watermark("t"), 0);     // and nothing of the batch was written
  sink->stop();
}

// Flume: partitionIdHeader names the partition and wins over defaultPartitionId.
TEST(KafkaSink, DefaultPartitionIdAndPartitionIdHeaderChooseThePartition) {
  test::KafkaMock m("t", 1, 4);
  auto ch = memory_channel();
  auto sink = open_sink(m, *ch, {{"defaultPartitionId", "1"}, {"partitionIdHeader", "part"}});
  {
    auto tx = ch->begin();
    for (int i = 0; i < 6; ++i) {
      Event e(std::to_string(i));
      if (i < 2) e.headers.set("part", "3");  // 2..5: no header
      tx->put(std::move(e));
    }
    tx->commit();
  }
  EXPECT_EQ(sink->process(), Sink::Status::Ready);
  EXPECT_EQ(m.high_watermark("t", 0), 0);
  EXPECT_EQ(m.high_watermark("t", 1), 4);
  EXPECT_EQ(m.high_watermark("t", 2), 0);
  EXPECT_EQ(m.high_watermark("t", 3), 2);
  sink->stop();
}

// Flume: an invalid partition is an EventDeliveryException. Here the batch fails before anything is
// produced and stays in the channel; the partition is checked against the topic the event goes to.
TEST(KafkaSink, PartitionThatDoesNotExistFailsTheBatchNothingProduced) {
  test::KafkaMock m("t", 1, 4);
  rd_kafka_mock_topic_create(m.mc, "small", 2, 1);
  auto ch = memory_channel();
  auto sink = open_sink(m, *ch, {{"partitionIdHeader", "part"}});
  {
    auto tx = ch->begin();
    tx->put(Event("a"));
    Event e("b");
    e.headers.set("part", "3");  // exists in t, not in small
    e.headers.set("topic", "small");
    tx->put(std::move(e));
    tx->commit();
  }
  try {
    sink->process();
    FAIL() << "an event for a partition that does not exist was delivered";
  } catch (const DeliveryException& ex) {
    std::string w = ex.what();
    EXPECT_NE(w.find("partition 3 does not exist: topic small has 2 partitions (0..1)"), std::string::npos) << w;
  }
  EXPECT_EQ(ch->size(), 2u);  // rolled back: nothing lost
  for (int p = 0; p < 4; ++p) EXPECT_EQ(m.high_watermark("t", p), 0) << "partition " << p;
  EXPECT_EQ(sink->metrics()->counter("BadPartitionCount").get(), 1);
  sink->stop();
}

TEST(KafkaSink, UnknownProducerPropertyAndLegacyKeys) {
  Diagnostics d;
  auto ctx = make_context({{"brokerList", "127.0.0.1:9"}, {"topic", "x"}, {"kafka.producer.no.such.thing", "1"}}, &d,
                          "sink k1 (type kafka)", "a1.sinks.k1.");
  KafkaSink s("k1", ctx);
  std::string out = d.format();
  EXPECT_NE(out.find("a1.sinks.k1.kafka.producer.no.such.thing"), std::string::npos) << out;
  EXPECT_NE(out.find("warning: a1.sinks.k1.brokerList: is deprecated: use kafka.bootstrap.servers"), std::string::npos)
      << out;
  EXPECT_NE(out.find("warning: a1.sinks.k1.topic: is deprecated: use kafka.topic"), std::string::npos) << out;
}

}  // namespace
}  // namespace sluice
