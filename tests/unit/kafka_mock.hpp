// librdkafka's mock cluster in-process, for unit tests of the Kafka components.
#pragma once
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>

namespace sluice::test {

struct KafkaMock {
  rd_kafka_t* rk;
  rd_kafka_mock_cluster_t* mc;
  explicit KafkaMock(const char* topic) {
    char err[256];
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), err, sizeof err);
    mc = rd_kafka_mock_cluster_new(rk, 1);
    rd_kafka_mock_topic_create(mc, topic, 1, 1);
  }
  ~KafkaMock() {
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
  }
  KafkaMock(const KafkaMock&) = delete;
  KafkaMock& operator=(const KafkaMock&) = delete;
  std::string bootstrap() const { return rd_kafka_mock_cluster_bootstraps(mc); }
};

}  // namespace sluice::test
