// Flume type: kafka (org.apache.flume.sink.kafka.KafkaSink), with librdkafka.
// Keys: kafka.bootstrap.servers (required), kafka.topic (default-flume-topic), flumeBatchSize (100),
// kafka.producer.acks (1), useFlumeEventFormat (false: the body; true: the Avro-binary
// AvroFlumeEvent with headers, as Flume writes it), allowTopicOverride (true) with topicHeader
// (topic), partitionIdHeader, defaultPartitionId (see kafka_partition.hpp: an event naming no
// partition of its topic fails the batch before anything is produced, counted in
// BadPartitionCount); the message key is the `key` header. A batch without keys or named
// partitions goes to one partition, the next one for the next batch (as Flume's Java producer
// fills one partition per batch), unless kafka.producer.partitioner is set.
// kafka.producer.* are passed to librdkafka (a property it does not know is a config error naming
// the key). Legacy keys brokerList, topic, batchSize, requiredAcks are mapped with a warning.
// A batch commits only after every message of it was acknowledged by the broker (delivery
// reports); any failure rolls it back and it is produced again.
// An event over kafka.producer.message.max.bytes (client limit, 1000000) fails its batch before any
// of it is produced (no duplicates of its neighbours on retry), naming size, limit and topic, counted
// in RecordTooLargeCount; the broker's own limit (MSG_SIZE_TOO_LARGE) fails the batch likewise.
// As in Flume, the batch is retried (with the runner's capped backoff, not a crash loop) until the
// limit is raised: the event is neither dropped nor diverted, which would be a silent loss.
#pragma once
#include <librdkafka/rdkafka.h>

#include <map>

#include "agent/sink.hpp"
#include "channels/kafka_client_error.hpp"
#include "channels/kafka_partition.hpp"

namespace sluice {

class KafkaSink : public BatchSink {
 public:
  KafkaSink(const std::string& name, Context& ctx);
  ~KafkaSink() override;
  void start() override;
  void stop() override;

 protected:
  void deliver(const Batch& batch) override;

 private:
  rd_kafka_topic_t* topic_handle(const std::string& topic);
  std::map<std::string, std::string> props_;
  std::string topic_, topic_header_;
  bool avro_format_, allow_override_;
  int64_t delivery_timeout_ms_;
  KafkaClientError client_error_;
  rd_kafka_t* rk_ = nullptr;
  std::map<std::string, rd_kafka_topic_t*> topics_;
  size_t max_record_bytes_ = 1000000;  // librdkafka's message.max.bytes default
  Counter& too_large_ = counters_.group->counter("RecordTooLargeCount");
  Counter& bad_partition_ = counters_.group->counter("BadPartitionCount");
  KafkaPartitionChoice partitions_;
  bool spread_batches_ = true;  // a batch naming no partition goes to one (false: kafka.producer.partitioner set)
};

}  // namespace sluice
