// librdkafka's mock cluster in-process, for unit tests of the Kafka components.
#pragma once
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>

namespace sluice::test {

struct KafkaMock {
  rd_kafka_t* rk;
  rd_kafka_mock_cluster_t* mc;
  explicit KafkaMock(const char* topic, int brokers = 1, int partitions = 1) {
    char err[256];
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), err, sizeof err);
    mc = rd_kafka_mock_cluster_new(rk, brokers);
    rd_kafka_mock_topic_create(mc, topic, partitions, brokers);
  }
  ~KafkaMock() {
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
  }
  KafkaMock(const KafkaMock&) = delete;
  KafkaMock& operator=(const KafkaMock&) = delete;
  std::string bootstrap() const { return rd_kafka_mock_cluster_bootstraps(mc); }
  // The partition's high watermark (records ever written), asked by a separate client; -1 on error.
  int64_t high_watermark(const char* topic, int32_t partition = 0) const {
    char err[256];
    rd_kafka_conf_t* c = rd_kafka_conf_new();
    rd_kafka_conf_set(c, "bootstrap.servers", bootstrap().c_str(), err, sizeof err);
    rd_kafka_t* q = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
    int64_t lo = -1, hi = -1;
    if (rd_kafka_query_watermark_offsets(q, topic, partition, &lo, &hi, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) hi = -1;
    rd_kafka_destroy(q);
    return hi;
  }
};

}  // namespace sluice::test
