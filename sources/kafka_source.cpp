#include "sources/kafka_source.hpp"

#include <sstream>

#include "agent/avro/flume_event.hpp"
#include "channels/kafka_properties.hpp"

namespace sluice {

KafkaSource::KafkaSource(const std::string& name, Context& ctx) : Source(name) {
  std::string servers = ctx.get_string("kafka.bootstrap.servers", "", "(required) host:port,host:port");
  if (servers.empty()) ctx.error("kafka.bootstrap.servers", "is required (expected host:port[,host:port])");
  std::string topics = ctx.get_string("kafka.topics", "", "topics to read, comma separated");
  if (auto l = ctx.get_optional("topic", "legacy name of kafka.topics")) {
    ctx.warning("topic", "is deprecated: use kafka.topics");
    if (topics.empty()) topics = *l;
  }
  std::string regex = ctx.get_string("kafka.topics.regex", "", "topics to read, as a regex (instead of kafka.topics)");
  std::stringstream in(topics);
  for (std::string t; std::getline(in, t, ',');) {
    t.erase(0, t.find_first_not_of(" \t"));
    t.erase(t.find_last_not_of(" \t") + 1);
    if (!t.empty()) topics_.push_back(t);
  }
  if (!regex.empty()) topics_.push_back(regex.front() == '^' ? regex : "^" + regex);  // librdkafka: ^ marks a regex
  if (topics_.empty()) ctx.error("kafka.topics", "is required (or kafka.topics.regex)");
  std::string group = ctx.get_string("kafka.consumer.group.id", "", "consumer group");
  if (auto l = ctx.get_optional("groupId", "legacy name of kafka.consumer.group.id")) {
    ctx.warning("groupId", "is deprecated: use kafka.consumer.group.id");
    if (group.empty()) group = *l;
  }
  if (ctx.get_optional("zookeeperConnect", "legacy; ignored"))
    ctx.warning("zookeeperConnect", "is ignored: offsets live in Kafka (kafka.bootstrap.servers)");
  batch_size_ = static_cast<size_t>(ctx.get_int("batchSize", 1000, "records per channel transaction", 1));
  batch_ms_ = ctx.get_int("batchDurationMillis", 1000, "ms before a partial batch is sent", 1);
  avro_format_ = ctx.get_bool("useFlumeEventFormat", false, "records are Avro-binary AvroFlumeEvents");
  set_topic_header_ = ctx.get_bool("setTopicHeader", true, "add the topic as a header");
  topic_header_ = ctx.get_string("topicHeader", "topic", "header for the topic");
  props_ = ctx.get_prefixed("kafka.consumer.", "kafka.consumer.<librdkafka property>");
  map_java_kafka_properties(ctx, "kafka.consumer.", props_);
  props_["bootstrap.servers"] = servers;
  props_["group.id"] = group.empty() ? "flume" : group;
  props_["enable.auto.commit"] = "false";
  props_.emplace("auto.offset.reset", "earliest");
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : props_)
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
      ctx.error(k == "bootstrap.servers" ? "kafka.bootstrap.servers" : "kafka.consumer." + k, err);
  rd_kafka_conf_destroy(conf);
}

KafkaSource::~KafkaSource() { stop(); }

void KafkaSource::start() {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : props_) rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err);
  client_error_.attach(conf, name_);
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk_) throw std::runtime_error("kafka source: " + std::string(err));
  rd_kafka_poll_set_consumer(rk_);
  auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(topics_.size()));
  for (const auto& t : topics_) rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(rk_, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (e) throw std::runtime_error("kafka source subscribe: " + std::string(rd_kafka_err2str(e)));
  stop_ = false;
  counters_.group->mark_start();
  thread_ = std::thread([this] { run(); });
}

void KafkaSource::stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
  rd_kafka_consumer_close(rk_);
  rd_kafka_destroy(rk_);
  rk_ = nullptr;
  counters_.group->mark_stop();
}

void KafkaSource::run() {
  RateLimit warn;
  int64_t backoff = 0;
  while (!stop_) {
    Batch batch;
    std::map<std::pair<std::string, int32_t>, int64_t> first, next;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(batch_ms_);
    while (batch.size() < batch_size_ && !stop_ && std::chrono::steady_clock::now() < deadline) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 100);
      if (!m) continue;
      if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && warn.allow())
          SLUICE_LOG(Warn, name_) << "consumer: " << rd_kafka_message_errstr(m);
        rd_kafka_message_destroy(m);
        continue;
      }
      std::string_view payload(static_cast<const char*>(m->payload), m->len);
      Event e;
      if (avro_format_) {
        try {
          e = avro::decode_flume_event(payload);
        } catch (const std::exception& ex) {
          e = Event(std::string(payload));
          e.headers.set("flume.kafka.error", std::string("not an AvroFlumeEvent: ") + ex.what());
          counters_.event_read_fail.inc();
        }
      } else {
        e = Event(std::string(payload));
      }
      std::string topic = rd_kafka_topic_name(m->rkt);
      // As Flume: only when the event does not carry them already (an AvroFlumeEvent's own headers win).
      if (set_topic_header_) e.headers.set_if_absent(topic_header_, topic);
      e.headers.set_if_absent("partition", std::to_string(m->partition));
      e.headers.set_if_absent("offset", std::to_string(m->offset));
      rd_kafka_timestamp_type_t tt;
      int64_t ts = rd_kafka_message_timestamp(m, &tt);
      if (ts >= 0) e.headers.set_if_absent("timestamp", std::to_string(ts));
      if (m->key) e.headers.set("key", std::string(static_cast<const char*>(m->key), m->key_len));
      auto k = std::make_pair(topic, m->partition);
      if (!first.count(k)) first[k] = m->offset;
      next[k] = m->offset + 1;
      batch.push_back(std::move(e));
      rd_kafka_message_destroy(m);
    }
    if (batch.empty()) continue;
    size_t n = batch.size();
    counters_.events_received.inc(static_cast<int64_t>(n));
    try {
      processor().process(std::move(batch));
    } catch (const ChannelException& ex) {
      counters_.channel_write_fail.inc();
      if (warn.allow()) SLUICE_LOG(Warn, name_) << "channel full, reading the same records again: " << ex.what();
      auto* offs = rd_kafka_topic_partition_list_new(static_cast<int>(first.size()));
      for (auto& [key, off] : first) rd_kafka_topic_partition_list_add(offs, key.first.c_str(), key.second)->offset = off;
      if (auto* err = rd_kafka_seek_partitions(rk_, offs, 5000)) rd_kafka_error_destroy(err);
      rd_kafka_topic_partition_list_destroy(offs);
      backoff = std::min<int64_t>(backoff + 100, 2000);
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff));
      continue;
    }
    backoff = 0;
    counters_.events_accepted.inc(static_cast<int64_t>(n));
    auto* offs = rd_kafka_topic_partition_list_new(static_cast<int>(next.size()));
    for (auto& [key, off] : next) rd_kafka_topic_partition_list_add(offs, key.first.c_str(), key.second)->offset = off;
    if (auto err = rd_kafka_commit(rk_, offs, 0); err && warn.allow())
      SLUICE_LOG(Warn, name_) << "offset commit failed (the records may be read again): " << rd_kafka_err2str(err);
    rd_kafka_topic_partition_list_destroy(offs);
  }
}

}  // namespace sluice
