// Flume type: kafka (org.apache.flume.source.kafka.KafkaSource), with librdkafka.
// Keys: kafka.bootstrap.servers (required), kafka.topics (comma separated) or kafka.topics.regex,
// kafka.consumer.group.id (flume), batchSize (1000), batchDurationMillis (1000), useFlumeEventFormat
// (false), setTopicHeader (true), topicHeader (topic), kafka.consumer.* passed to librdkafka;
// legacy topic, groupId, zookeeperConnect (ignored) mapped with a warning.
// Events carry headers topic (named by topicHeader; none with setTopicHeader=false), partition,
// offset, timestamp (and key when the record has one); as in Flume, all but key only when the event
// does not already carry them (an AvroFlumeEvent's own headers are kept).
// Offsets are committed only after the channel accepted the batch; a full channel seeks back and
// the same records are read again (backpressure, no loss). Client errors (authentication refused,
// brokers down) are logged as warnings with the source's name.
#pragma once
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <map>
#include <thread>

#include "agent/source.hpp"
#include "channels/kafka_client_error.hpp"

namespace sluice {

class KafkaSource : public Source {
 public:
  KafkaSource(const std::string& name, Context& ctx);
  ~KafkaSource() override;
  void start() override;
  void stop() override;

 private:
  void run();
  std::map<std::string, std::string> props_;
  std::vector<std::string> topics_;
  size_t batch_size_;
  int64_t batch_ms_;
  bool avro_format_, set_topic_header_;
  std::string topic_header_;
  KafkaClientError client_error_;
  rd_kafka_t* rk_ = nullptr;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sluice
