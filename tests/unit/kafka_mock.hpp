// librdkafka's mock cluster in-process, for unit tests of the Kafka components, and the one way the
// tests open a Kafka channel or sink on it.
#pragma once
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <map>
#include <memory>
#include <string>

#include "channels/kafka_channel.hpp"
#include "sinks/kafka_sink.hpp"
#include "test_support.hpp"

namespace sluice::test {

struct KafkaMock {
  rd_kafka_t* rk;
  rd_kafka_mock_cluster_t* mc;
  std::string topic;  // created with the cluster; the default topic of open_channel / open_sink
  explicit KafkaMock(const char* topic_name, int brokers = 1, int partitions = 1) : topic(topic_name) {
    char err[256];
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), err, sizeof err);
    mc = rd_kafka_mock_cluster_new(rk, brokers);
    rd_kafka_mock_topic_create(mc, topic_name, partitions, brokers);
  }
  ~KafkaMock() {
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
  }
  KafkaMock(const KafkaMock&) = delete;
  KafkaMock& operator=(const KafkaMock&) = delete;
  std::string bootstrap() const { return rd_kafka_mock_cluster_bootstraps(mc); }
  // The partition's high watermark (records ever written), asked by a separate client; -1 on error.
  int64_t high_watermark(const char* topic_name, int32_t partition = 0) const {
    char err[256];
    rd_kafka_conf_t* c = rd_kafka_conf_new();
    rd_kafka_conf_set(c, "bootstrap.servers", bootstrap().c_str(), err, sizeof err);
    rd_kafka_t* q = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
    int64_t lo = -1, hi = -1;
    if (rd_kafka_query_watermark_offsets(q, topic_name, partition, &lo, &hi, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) hi = -1;
    rd_kafka_destroy(q);
    return hi;
  }
};

// The keys every test needs, then `extra` (which may override them); config errors fail the test.
inline Context kafka_context(const std::map<std::string, std::string>& base,
                             const std::map<std::string, std::string>& extra, Diagnostics& d) {
  std::map<std::string, std::string> kv = base;
  for (auto& [k, v] : extra) kv[k] = v;
  return make_context(kv, &d);
}

// A started kafka channel "kc" on the mock's topic (pollTimeout 300 ms so empty takes end soon).
inline std::unique_ptr<KafkaChannel> open_channel(const KafkaMock& m, const std::map<std::string, std::string>& extra = {}) {
  Diagnostics d;
  auto ctx = kafka_context({{"kafka.bootstrap.servers", m.bootstrap()},
                            {"kafka.topic", m.topic},
                            {"pollTimeout", "300"},
                            {"kafka.consumer.session.timeout.ms", "6000"}},
                           extra, d);
  auto ch = std::make_unique<KafkaChannel>("kc", ctx);
  EXPECT_FALSE(d.has_errors()) << d.format();
  ch->start();
  return ch;
}

// A started kafka sink "k1" writing to the mock's topic, taking from `from`.
inline std::unique_ptr<KafkaSink> open_sink(const KafkaMock& m, Channel& from, const std::map<std::string, std::string>& extra = {}) {
  Diagnostics d;
  auto ctx = kafka_context({{"kafka.bootstrap.servers", m.bootstrap()}, {"kafka.topic", m.topic}}, extra, d);
  auto sink = std::make_unique<KafkaSink>("k1", ctx);
  EXPECT_FALSE(d.has_errors()) << d.format();
  sink->set_channel(&from);
  sink->start();
  return sink;
}

}  // namespace sluice::test
