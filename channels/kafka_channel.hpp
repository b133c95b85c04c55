// Flume type: kafka (org.apache.flume.channel.kafka.KafkaChannel), with librdkafka.
// Keys: kafka.bootstrap.servers (required), kafka.topic (flume-channel), kafka.consumer.group.id
// (flume), parseAsFlumeEvent (true: records are Avro-binary AvroFlumeEvents with headers, as Flume
// writes them, so Flume and sluice agents can share a topic; false: the body only), pollTimeout
// (500 ms), defaultPartitionId, partitionIdHeader (see kafka_partition.hpp: an event naming no
// partition of the topic fails the whole put, nothing written, counted in BadPartitionCount),
// deliveryTimeout (30000 ms; sluice),
// kafka.producer.* / kafka.consumer.* passed to librdkafka (Java client names mapped, see
// kafka_properties.hpp; unknown properties are config errors);
// legacy brokerList, topic, groupId, readSmallestOffset mapped with a warning, zookeeperConnect
// ignored with a warning (offsets live in Kafka).
// Put: produce the batch and wait for every delivery report before commit returns (acks=all,
// idempotent producer by default). A put whose events name no partition goes whole to one partition,
// the next put to the next partition (Kafka's Java producer, which Flume runs, also fills one
// partition per batch of keyless records); kafka.producer.partitioner = <librdkafka partitioner>
// restores a choice per record. As in Flume, an event's "key" header is its record's key (records
// with a key are placed by librdkafka's partitioner, by key) and a taken record's key is its "key"
// header. Take: consume; offsets are committed to Kafka only at commit;
// a rollback seeks back so the same records come again. One take transaction at a time (a second
// concurrent taker gets nothing until the first ends), so a rollback can never skip another's records.
// A record that is not a valid AvroFlumeEvent on a parseAsFlumeEvent topic becomes an event with the
// raw bytes as body and header flume.kafka.error=<reason> (never dropped, never a crash loop).
// A record over kafka.producer.message.max.bytes (client limit, 1000000; or the broker's limit,
// MSG_SIZE_TOO_LARGE): the whole put fails with a ChannelException naming size and limit, nothing of
// the batch is written (so offering it again adds no duplicates), counted in RecordTooLargeCount.
// As in Flume the event is not diverted or dropped: the source keeps offering it (backpressure with
// backoff, not a crash loop) until the limit is raised; dropping or diverting would be silent loss.
// Changed from Flume: a new consumer group starts at the earliest offset (Flume: latest), so events
// put before the first take are not skipped. A failed put names the topic and why: brokers
// unreachable (no acknowledgement within deliveryTimeout) or the topic does not exist.
// size() counts the records the consumer has fetched and not yet handed to a take (plus the odd
// control op; what lies in Kafka beyond that is not known without asking the brokers): an idle sink
// wakes on it, as it does for the memory and file channels; a stopping sink drains it up to
// --drain-timeout.
#pragma once
#include <librdkafka/rdkafka.h>

#include <map>
#include <mutex>

#include "agent/channel.hpp"
#include "agent/context.hpp"
#include "channels/kafka_client_error.hpp"
#include "channels/kafka_partition.hpp"

namespace sluice {

class KafkaChannel : public Channel {
 public:
  KafkaChannel(const std::string& name, Context& ctx);
  ~KafkaChannel() override;
  void start() override;
  void stop() override;
  std::unique_ptr<Transaction> begin() override;
  size_t size() const override;
  bool durable() const override { return true; }

 private:
  friend class KafkaTransaction;
  std::string topic_problem();  // "topic X does not exist ..." when the brokers say so, else ""
  std::map<std::string, std::string> producer_props_, consumer_props_;
  std::string topic_;
  bool parse_avro_;
  int poll_ms_;
  int64_t delivery_timeout_ms_;
  KafkaClientError producer_error_, consumer_error_;
  rd_kafka_t* producer_ = nullptr;
  rd_kafka_topic_t* ptopic_ = nullptr;
  rd_kafka_t* consumer_ = nullptr;
  rd_kafka_queue_t* consumer_queue_ = nullptr;  // for size()
  std::mutex produce_mu_;
  std::timed_mutex take_mu_;  // held by the one open take transaction
  size_t max_record_bytes_ = 1000000;  // librdkafka's message.max.bytes default
  Counter& parse_errors_;
  Counter& too_large_;
  Counter& bad_partition_;
  KafkaPartitionChoice partitions_;
  bool spread_puts_ = true;  // a put naming no partition goes to one (false: kafka.producer.partitioner set)
};

}  // namespace sluice
