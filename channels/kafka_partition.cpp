#include "channels/kafka_partition.hpp"

#include <charconv>
#include <limits>
#include <random>
#include <stdexcept>

namespace sluice {

KafkaPartitionChoice::KafkaPartitionChoice(Context& ctx) : next_(std::random_device{}()) {
  header_ = ctx.get_string("partitionIdHeader", "", "header naming the partition (wins over defaultPartitionId)");
  if (ctx.has("defaultPartitionId"))
    default_ = static_cast<int32_t>(ctx.get_int("defaultPartitionId", 0, "partition for events without partitionIdHeader", 0,
                                                std::numeric_limits<int32_t>::max()));
}

int32_t KafkaPartitionChoice::choose(const Event& e, rd_kafka_t* rk, const std::string& topic) {
  int32_t p = parse(e);
  check(rk, topic, p);
  return p;
}

int32_t KafkaPartitionChoice::spread(rd_kafka_t* rk, const std::string& topic) {
  auto now = std::chrono::steady_clock::now();
  bool ask = false;
  {
    std::lock_guard l(mu_);
    auto& at = counted_at_[topic];
    ask = now - at > std::chrono::seconds(kRecountSeconds);
    if (ask) at = now;  // also when the brokers cannot be asked: not again before kRecountSeconds
  }
  // Asked without the lock: the other puts go on with the count they have (or librdkafka's
  // partitioner while there is none) instead of waiting up to 1 s behind this one.
  int32_t asked = ask ? partition_count(rk, topic, 1000) : -1;
  std::lock_guard l(mu_);
  if (asked >= 0) counts_[topic] = asked;
  auto it = counts_.find(topic);
  if (it == counts_.end() || it->second <= 0) return RD_KAFKA_PARTITION_UA;
  return static_cast<int32_t>(next_++ % static_cast<uint32_t>(it->second));
}

int32_t KafkaPartitionChoice::parse(const Event& e) const {
  if (!header_.empty())
    if (const std::string* v = e.headers.find(header_)) {
      int32_t p = -1;
      auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), p);
      if (ec != std::errc() || end != v->data() + v->size() || p < 0)
        throw std::invalid_argument("header " + header_ + " = '" + *v + "' is not a partition number");
      return p;
    }
  return default_;
}

void KafkaPartitionChoice::check(rd_kafka_t* rk, const std::string& topic, int32_t partition) {
  if (partition == RD_KAFKA_PARTITION_UA) return;
  {
    std::lock_guard l(mu_);
    auto it = counts_.find(topic);
    if (it != counts_.end() && partition < it->second) return;
  }
  int32_t n = partition_count(rk, topic);  // without the lock, as in spread()
  if (n < 0) return;
  {
    std::lock_guard l(mu_);
    counts_[topic] = n;
  }
  if (partition >= n)
    throw std::invalid_argument("partition " + std::to_string(partition) + " does not exist: topic " + topic + " has " +
                                std::to_string(n) + " partition" + (n == 1 ? "" : "s") +
                                (n > 0 ? " (0.." + std::to_string(n - 1) + ")" : ""));
}

int32_t KafkaPartitionChoice::partition_count(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  int32_t n = -1;
  if (rd_kafka_metadata(rk, 0, t, &md, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) n = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_topic_destroy(t);
  return n;
}

}  // namespace sluice
