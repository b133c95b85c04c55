// The explicit partition choice shared by the kafka channel and sink (Flume's defaultPartitionId and
// partitionIdHeader): an event with the header goes to the partition it names, else to
// defaultPartitionId, else librdkafka's partitioner picks (by key when there is one).
// As in Flume, a header value that is no partition of the topic refuses the event (channel: the put
// fails; sink: the batch fails), here before any record of the batch is produced, so offering the
// batch again writes no duplicates of its neighbours. Never silently another partition: a value that
// is not a whole number >= 0 is refused too (atoi used to send "abc" to partition 0).
#pragma once
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "agent/context.hpp"
#include "agent/event.hpp"

namespace sluice {

class KafkaPartitionChoice {
 public:
  explicit KafkaPartitionChoice(Context& ctx);  // reads defaultPartitionId, partitionIdHeader
  // The partition for event e going to topic, or RD_KAFKA_PARTITION_UA (librdkafka's partitioner).
  // Throws std::invalid_argument with the reason when the header is not a partition number, or when
  // the chosen partition is not one of topic's. Partition counts come from the brokers' metadata,
  // cached per topic and asked again when a partition beyond the cached count is named (topics can
  // grow). If the brokers cannot be asked, nothing is thrown: the produce then fails or succeeds on
  // its own.
  int32_t choose(const Event& e, rd_kafka_t* rk, const std::string& topic);
  // The partition for a whole batch of events that named none (choose gave UA for each): the next
  // of topic's partitions in turn, from a random start, or RD_KAFKA_PARTITION_UA while the count is
  // not known. Kafka's Java producer (what Flume runs) also fills one partition per batch of keyless
  // records (its sticky partitioner); doing it per put here spares librdkafka's partitioner a lookup
  // per record and keeps a put in one request. The count is asked again every kRecountSeconds (for
  // at most 1 s: with the brokers down, a put does not wait for them here, it fails on its own),
  // by one put, without holding the lock: the others meanwhile use the count they have.
  int32_t spread(rd_kafka_t* rk, const std::string& topic);

 private:
  int32_t parse(const Event& e) const;  // the header's or the default partition, unchecked
  void check(rd_kafka_t* rk, const std::string& topic, int32_t partition);
  int32_t partition_count(rd_kafka_t* rk, const std::string& topic, int timeout_ms = 5000);  // -1 if unknown
  static constexpr int kRecountSeconds = 60;
  int32_t default_ = RD_KAFKA_PARTITION_UA;
  std::string header_;
  std::mutex mu_;
  std::map<std::string, int32_t> counts_;
  std::map<std::string, std::chrono::steady_clock::time_point> counted_at_;  // for spread()
  uint32_t next_;
};

}  // namespace sluice
