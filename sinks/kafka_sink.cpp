#include "sinks/kafka_sink.hpp"

#include <atomic>
#include <mutex>

#include "agent/avro/flume_event.hpp"
#include "channels/kafka_properties.hpp"

namespace sluice {
namespace {

// librdkafka counts a record's framing against message.max.bytes too (v2 record overhead, < 64 bytes).
constexpr size_t kRecordOverhead = 64;

struct BatchState {
  std::atomic<int64_t> pending{0};
  std::atomic<int64_t> failed{0};
  std::mutex mu;
  std::string first_error;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* st = static_cast<BatchState*>(m->_private);
  if (!st) return;
  if (m->err) {
    st->failed++;
    std::lock_guard l(st->mu);
    if (st->first_error.empty()) st->first_error = rd_kafka_err2str(m->err);
  }
  st->pending--;
}

}  // namespace

KafkaSink::KafkaSink(const std::string& name, Context& ctx)
    : BatchSink(name, static_cast<size_t>(ctx.get_int("flumeBatchSize", ctx.get_int("batchSize", 100, "legacy name of flumeBatchSize"),
                                                      "events per transaction", 1))),
      partitions_(ctx) {
  if (ctx.has("batchSize")) ctx.warning("batchSize", "is deprecated: use flumeBatchSize");
  std::string servers = ctx.get_string("kafka.bootstrap.servers", "", "(required) host:port,host:port");
  if (auto legacy = ctx.get_optional("brokerList", "legacy name of kafka.bootstrap.servers")) {
    ctx.warning("brokerList", "is deprecated: use kafka.bootstrap.servers");
    if (servers.empty()) servers = *legacy;
  }
  if (servers.empty()) ctx.error("kafka.bootstrap.servers", "is required (expected host:port[,host:port])");
  topic_ = ctx.get_string("kafka.topic", "", "topic to write to");
  if (auto legacy = ctx.get_optional("topic", "legacy name of kafka.topic")) {
    ctx.warning("topic", "is deprecated: use kafka.topic");
    if (topic_.empty()) topic_ = *legacy;
  }
  if (topic_.empty()) topic_ = "default-flume-topic";
  avro_format_ = ctx.get_bool("useFlumeEventFormat", false, "write Avro-binary AvroFlumeEvents (with headers)");
  allow_override_ = ctx.get_bool("allowTopicOverride", true, "a topic header picks the topic");
  topic_header_ = ctx.get_string("topicHeader", "topic", "header naming the topic");
  delivery_timeout_ms_ = ctx.get_int("deliveryTimeout", 30000, "ms to wait for the broker's acknowledgements (sluice)", 1);
  props_ = ctx.get_prefixed("kafka.producer.", "kafka.producer.<librdkafka property>");
  map_java_kafka_properties(ctx, "kafka.producer.", props_);
  if (auto acks = ctx.get_optional("requiredAcks", "legacy name of kafka.producer.acks")) {
    ctx.warning("requiredAcks", "is deprecated: use kafka.producer.acks");
    props_.emplace("acks", *acks);
  }
  props_.emplace("acks", "1");  // Flume's default
  props_["bootstrap.servers"] = servers;
  if (auto it = props_.find("message.max.bytes"); it != props_.end())
    max_record_bytes_ = static_cast<size_t>(std::atoll(it->second.c_str()));
  spread_batches_ = !props_.count("partitioner");
  // Validate every property now (no I/O): librdkafka names the one it does not know.
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : props_) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
      ctx.error(k == "bootstrap.servers" ? "kafka.bootstrap.servers" : "kafka.producer." + k, err);
  }
  rd_kafka_conf_destroy(conf);
}

KafkaSink::~KafkaSink() { stop(); }

void KafkaSink::start() {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : props_) rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  client_error_.attach(conf, name());
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk_) throw std::runtime_error(std::string("kafka producer: ") + err);
  BatchSink::start();
}

void KafkaSink::stop() {
  if (!rk_) return;
  rd_kafka_flush(rk_, 5000);
  for (auto& [n, t] : topics_) rd_kafka_topic_destroy(t);
  topics_.clear();
  rd_kafka_destroy(rk_);
  rk_ = nullptr;
  BatchSink::stop();
}

rd_kafka_topic_t* KafkaSink::topic_handle(const std::string& topic) {
  auto it = topics_.find(topic);
  if (it != topics_.end()) return it->second;
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
  topics_[topic] = t;
  return t;
}

void KafkaSink::deliver(const Batch& batch) {
  struct Record {
    std::string topic, payload;
    int32_t partition;
    const std::string* key;
  };
  std::vector<Record> records;
  records.reserve(batch.size());
  for (const auto& e : batch) {
    Record r{topic_, avro_format_ ? avro::encode_flume_event(e) : e.body, RD_KAFKA_PARTITION_UA, e.headers.find("key")};
    if (allow_override_)
      if (auto* t = e.headers.find(topic_header_); t && !t->empty()) r.topic = *t;
    try {  // Flume: an invalid partition is an EventDeliveryException; here before anything is produced
      r.partition = partitions_.choose(e, rk_, r.topic);
    } catch (const std::invalid_argument& bad) {
      bad_partition_.inc();
      throw DeliveryException("kafka: event " + std::to_string(records.size()) + " of the batch: " + bad.what() +
                              "; the batch is rolled back, nothing was produced");
    }
    // Fail before anything is produced: a batch failing halfway would write its head again on every retry.
    size_t size = r.payload.size() + (r.key ? r.key->size() : 0);
    if (size + kRecordOverhead > max_record_bytes_) {
      too_large_.inc();
      throw DeliveryException("kafka: an event of " + std::to_string(size) + " bytes is too large for topic " + r.topic +
                              " (kafka.producer.message.max.bytes = " + std::to_string(max_record_bytes_) +
                              "); the batch is rolled back, nothing was produced");
    }
    records.push_back(std::move(r));
  }
  // A batch whose events name no partition and carry no key goes to one partition per topic, the
  // next in turn (KafkaPartitionChoice::spread), as the channel does with a put and as Kafka's Java
  // producer (Flume's) fills one partition per batch of keyless records; unless
  // kafka.producer.partitioner asks for librdkafka's partitioner record by record.
  bool any_named = false;
  for (const auto& r : records) any_named |= r.key || r.partition != RD_KAFKA_PARTITION_UA;
  if (!any_named && spread_batches_) {
    std::map<std::string, int32_t> chosen;
    for (auto& r : records) {
      auto it = chosen.find(r.topic);
      if (it == chosen.end()) it = chosen.emplace(r.topic, partitions_.spread(rk_, r.topic)).first;
      r.partition = it->second;
    }
  }
  BatchState st;
  for (const auto& r : records) {
    st.pending++;
    while (true) {
      int rc = rd_kafka_produce(topic_handle(r.topic), r.partition, RD_KAFKA_MSG_F_COPY, const_cast<char*>(r.payload.data()),
                                r.payload.size(), r.key ? r.key->data() : nullptr, r.key ? r.key->size() : 0, &st);
      if (rc == 0) break;
      if (rd_kafka_last_error() == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk_, 50);  // the local queue is full: let deliveries drain
        continue;
      }
      st.pending--;
      // Wait for what was already produced so no report refers to `st` after we return.
      auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(delivery_timeout_ms_);
      while (st.pending > 0 && std::chrono::steady_clock::now() < until) rd_kafka_poll(rk_, 50);
      throw DeliveryException("kafka produce to " + r.topic + " failed: " + rd_kafka_err2str(rd_kafka_last_error()));
    }
  }
  // flush, not poll: polling would wait out linger.ms before the batch is even sent (pure latency on
  // every batch, as the Kafka channel found); flush sends at once and serves the delivery reports.
  // The sink's thread is this producer's only user, so there is nothing else to wait for.
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(delivery_timeout_ms_);
  while (st.pending > 0 && std::chrono::steady_clock::now() < until) rd_kafka_flush(rk_, 100);
  if (st.pending > 0) {
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    while (st.pending > 0) rd_kafka_poll(rk_, 50);  // purged messages report an error; then `st` is free
    throw DeliveryException("kafka: no acknowledgement within deliveryTimeout" + client_error_.suffix() +
                            "; the batch is rolled back");
  }
  if (st.failed > 0)
    throw DeliveryException("kafka: " + std::to_string(st.failed.load()) + " of " + std::to_string(batch.size()) +
                            " messages failed (" + st.first_error + "); the batch is rolled back");
}

}  // namespace sluice
