#include "channels/kafka_channel.hpp"

#include <atomic>

#include "agent/avro/flume_event.hpp"
#include "agent/log.hpp"
#include "channels/kafka_properties.hpp"

namespace sluice {
namespace {

// librdkafka counts a record's framing against message.max.bytes too (v2 record overhead, < 64 bytes).
constexpr size_t kRecordOverhead = 64;
constexpr size_t kTakeChunk = 256;  // records fetched per rd_kafka_consume_batch_queue call

struct Pending {
  std::atomic<int64_t> left{0}, failed{0};
  std::mutex mu;
  std::string error;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* p = static_cast<Pending*>(m->_private);
  if (!p) return;
  if (m->err) {
    p->failed++;
    std::lock_guard l(p->mu);
    if (p->error.empty()) p->error = rd_kafka_err2str(m->err);
  }
  p->left--;
}

void check_props(Context& ctx, const std::string& prefix, const std::map<std::string, std::string>& props) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : props)
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
      ctx.error(k == "bootstrap.servers" ? "kafka.bootstrap.servers" : prefix + k, err);
  rd_kafka_conf_destroy(conf);
}

rd_kafka_conf_t* make_conf(const std::map<std::string, std::string>& props) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : props) rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err);
  return conf;
}

}  // namespace

class KafkaTransaction : public Transaction {
 public:
  explicit KafkaTransaction(KafkaChannel& ch) : ch_(ch) {}
  ~KafkaTransaction() override {
    if (!puts_.empty() || holding_) rollback();
  }
  void put(Event&& e) override {
    ch_.counters_.put_attempt.inc();
    puts_.push_back(std::move(e));
  }
  size_t take(size_t max, bool wait) override {
    if (!holding_) {
      if (!ch_.take_mu_.try_lock_for(std::chrono::milliseconds(wait ? ch_.poll_ms_ : 0))) return 0;
      holding_ = true;
    }
    ch_.counters_.take_attempt.inc();
    size_t n = 0;
    int timeout = wait ? ch_.poll_ms_ : 0;
    // The first record waits up to pollTimeout; the rest are what the consumer has already fetched,
    // taken in one call (one queue lock and clock read per call, not per record).
    rd_kafka_message_t* msgs[kTakeChunk];
    while (n < max) {
      size_t got = 0;
      if (timeout > 0) {
        if ((msgs[0] = rd_kafka_consumer_poll(ch_.consumer_, timeout))) got = 1;
        timeout = 0;
      } else {
        ssize_t r = rd_kafka_consume_batch_queue(ch_.consumer_queue_, 0, msgs, std::min(max - n, kTakeChunk));
        got = r > 0 ? static_cast<size_t>(r) : 0;
      }
      if (got == 0) break;
      for (size_t i = 0; i < got; ++i) n += accept(msgs[i]);
    }
    return n;
  }
  const Batch& taken() const override { return taken_; }
  void commit() override {
    if (!puts_.empty()) produce();
    if (holding_) {
      if (!next_.empty()) {
        rd_kafka_topic_partition_list_t* offs = offsets(next_);
        rd_kafka_resp_err_t err = rd_kafka_commit(ch_.consumer_, offs, 0);
        rd_kafka_topic_partition_list_destroy(offs);
        if (err) {
          rollback();
          throw ChannelException("kafka channel " + ch_.name() + ": offset commit failed: " + rd_kafka_err2str(err));
        }
        ch_.counters_.take_success.inc(static_cast<int64_t>(taken_.size()));
      }
      release();
    }
    puts_.clear();
  }
  void rollback() override {
    puts_.clear();
    if (!holding_) return;
    if (!first_.empty()) {  // the same records must come again
      rd_kafka_topic_partition_list_t* offs = offsets(first_);
      rd_kafka_error_t* e = rd_kafka_seek_partitions(ch_.consumer_, offs, 5000);
      if (e) {
        SLUICE_LOG(Error, ch_.name()) << "seek back failed: " << rd_kafka_error_string(e);
        rd_kafka_error_destroy(e);
      }
      rd_kafka_topic_partition_list_destroy(offs);
    }
    release();
  }

 private:
  // Takes one consumed record into the transaction (1), or skips an error event (0); destroys it.
  size_t accept(rd_kafka_message_t* m) {
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
        SLUICE_LOG(Warn, ch_.name()) << "consumer: " << rd_kafka_message_errstr(m);
      rd_kafka_message_destroy(m);
      return 0;
    }
    std::string_view payload(static_cast<const char*>(m->payload), m->len);
    Event e;
    if (ch_.parse_avro_) {
      try {
        e = avro::decode_flume_event(payload);
      } catch (const std::exception& ex) {
        e = Event(std::string(payload));
        e.headers.set("flume.kafka.error", std::string("not an AvroFlumeEvent: ") + ex.what());
        ch_.parse_errors_.inc();
      }
    } else {
      e = Event(std::string(payload));
    }
    // The channel subscribes to its one topic: offsets are kept per partition, and records come in
    // runs from one partition, so the map is looked up only when the partition changes.
    if (m->partition != last_partition_) {
      first_.emplace(m->partition, m->offset);
      last_next_ = &next_[m->partition];
      last_partition_ = m->partition;
    }
    *last_next_ = m->offset + 1;
    if (m->key) e.headers.set("key", std::string(static_cast<const char*>(m->key), m->key_len));  // as Flume
    taken_.push_back(std::move(e));
    rd_kafka_message_destroy(m);
    return 1;
  }
  rd_kafka_topic_partition_list_t* offsets(const std::map<int32_t, int64_t>& by_partition) const {
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(by_partition.size()));
    for (auto& [part, off] : by_partition) rd_kafka_topic_partition_list_add(list, ch_.topic_.c_str(), part)->offset = off;
    return list;
  }
  void release() {
    taken_.clear();
    first_.clear();
    next_.clear();
    last_partition_ = -1;
    last_next_ = nullptr;
    holding_ = false;
    ch_.take_mu_.unlock();
  }
  void produce() {
    std::vector<std::string> encoded;  // AvroFlumeEvents; raw records are the bodies in puts_
    if (ch_.parse_avro_) encoded.reserve(puts_.size());
    std::vector<rd_kafka_message_t> msgs(puts_.size());
    Pending p;
    // An event chose its partition (partitionIdHeader / defaultPartitionId) or has a key (its "key"
    // header, as in Flume): then librdkafka places each record (by key when there is one).
    bool any_named = false;
    for (size_t i = 0; i < puts_.size(); ++i) {
      const std::string& payload = ch_.parse_avro_ ? encoded.emplace_back(avro::encode_flume_event(puts_[i])) : puts_[i].body;
      // Refuse the whole batch before anything is written: producing its neighbours and failing
      // later would write them again every time the source offers the batch.
      if (payload.size() + kRecordOverhead > ch_.max_record_bytes_) {
        ch_.too_large_.inc();
        throw ChannelException("kafka channel " + ch_.name() + ": an event of " + std::to_string(payload.size()) +
                               " bytes is too large for topic " + ch_.topic_ + " (kafka.producer.message.max.bytes = " +
                               std::to_string(ch_.max_record_bytes_) + "); the batch of " +
                               std::to_string(puts_.size()) + " is refused, nothing was written");
      }
      try {  // as for size: an event naming no partition of the topic refuses the batch up front
        msgs[i].partition = ch_.partitions_.choose(puts_[i], ch_.producer_, ch_.topic_);
      } catch (const std::invalid_argument& bad) {
        ch_.bad_partition_.inc();
        throw ChannelException("kafka channel " + ch_.name() + ": event " + std::to_string(i) + " of the batch: " +
                               bad.what() + "; the batch of " + std::to_string(puts_.size()) +
                               " is refused, nothing was written");
      }
      if (const std::string* key = puts_[i].headers.find("key")) {
        msgs[i].key = const_cast<char*>(key->data());
        msgs[i].key_len = key->size();
        any_named = true;
      }
      any_named |= msgs[i].partition != RD_KAFKA_PARTITION_UA;
      msgs[i].payload = const_cast<char*>(payload.data());
      msgs[i].len = payload.size();
      msgs[i]._private = &p;
    }
    // A batch whose events name no partition and have no key goes to one partition
    // (KafkaPartitionChoice::spread), unless kafka.producer.partitioner asks for librdkafka's
    // partitioner; otherwise each record's partition field (UA: the partitioner's choice) is used.
    int32_t whole = any_named || !ch_.spread_puts_ ? RD_KAFKA_PARTITION_UA : ch_.partitions_.spread(ch_.producer_, ch_.topic_);
    int flags = RD_KAFKA_MSG_F_COPY | (whole == RD_KAFKA_PARTITION_UA ? RD_KAFKA_MSG_F_PARTITION : 0);
    std::lock_guard l(ch_.produce_mu_);
    // One produce_batch call enqueues the batch (one topic lock and clock read, not one per record).
    // A record it could not enqueue has its err set; after a full local queue every later one has
    // __QUEUE_FULL: those are offered again once delivery reports have made room.
    size_t next = 0;
    while (next < msgs.size()) {
      rd_kafka_produce_batch(ch_.ptopic_, whole, flags, msgs.data() + next, static_cast<int>(msgs.size() - next));
      for (; next < msgs.size() && msgs[next].err != RD_KAFKA_RESP_ERR__QUEUE_FULL; ++next) {
        if (msgs[next].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
          p.left++;  // delivery reports are served only by this thread's poll/flush below
        } else {
          p.failed++;
          if (p.error.empty()) p.error = rd_kafka_err2str(msgs[next].err);
        }
      }
      if (next < msgs.size()) rd_kafka_poll(ch_.producer_, 50);
    }
    // flush, not poll: the batch is complete, so waiting out linger.ms (5 ms) for more records to
    // join it is pure latency on every put; flush sends at once and serves the delivery reports.
    // produce_mu_ is held, so the producer has no records but this batch's to wait for.
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ch_.delivery_timeout_ms_);
    while (p.left > 0 && std::chrono::steady_clock::now() < until) rd_kafka_flush(ch_.producer_, 100);
    bool timed_out = p.left > 0;
    if (timed_out) {
      rd_kafka_purge(ch_.producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      while (p.left > 0) rd_kafka_poll(ch_.producer_, 20);
    }
    if (p.failed > 0) {
      std::string why = p.error;
      if (timed_out)
        why = "no acknowledgement within deliveryTimeout = " + std::to_string(ch_.delivery_timeout_ms_) + " ms" +
              ch_.producer_error_.suffix();
      if (std::string missing = ch_.topic_problem(); !missing.empty()) why = missing + "; " + why;
      throw ChannelException("kafka channel " + ch_.name() + ": " + std::to_string(p.failed.load()) + " of " +
                             std::to_string(puts_.size()) + " records to topic " + ch_.topic_ + " not acknowledged (" +
                             why + ")");
    }
    ch_.counters_.put_success.inc(static_cast<int64_t>(puts_.size()));
  }

  KafkaChannel& ch_;
  Batch puts_, taken_;
  bool holding_ = false;
  std::map<int32_t, int64_t> first_, next_;  // per partition: first offset taken, offset after the last
  int32_t last_partition_ = -1;
  int64_t* last_next_ = nullptr;
};

KafkaChannel::KafkaChannel(const std::string& name, Context& ctx)
    : Channel(name),
      parse_errors_(counters_.group->counter("ParseErrorCount")),
      too_large_(counters_.group->counter("RecordTooLargeCount")),
      bad_partition_(counters_.group->counter("BadPartitionCount")),
      partitions_(ctx) {
  std::string servers = ctx.get_string("kafka.bootstrap.servers", "", "(required) host:port,host:port");
  if (auto l = ctx.get_optional("brokerList", "legacy name of kafka.bootstrap.servers")) {
    ctx.warning("brokerList", "is deprecated: use kafka.bootstrap.servers");
    if (servers.empty()) servers = *l;
  }
  if (servers.empty()) ctx.error("kafka.bootstrap.servers", "is required (expected host:port[,host:port])");
  topic_ = ctx.get_string("kafka.topic", "", "the channel's topic");
  if (auto l = ctx.get_optional("topic", "legacy name of kafka.topic")) {
    ctx.warning("topic", "is deprecated: use kafka.topic");
    if (topic_.empty()) topic_ = *l;
  }
  if (topic_.empty()) topic_ = "flume-channel";
  std::string group = ctx.get_string("kafka.consumer.group.id", "", "consumer group");
  if (auto l = ctx.get_optional("groupId", "legacy name of kafka.consumer.group.id")) {
    ctx.warning("groupId", "is deprecated: use kafka.consumer.group.id");
    if (group.empty()) group = *l;
  }
  if (group.empty()) group = "flume";
  if (ctx.get_optional("zookeeperConnect", "legacy; ignored"))
    ctx.warning("zookeeperConnect", "is ignored: offsets live in Kafka (kafka.bootstrap.servers)");
  bool smallest = ctx.get_bool("readSmallestOffset", true, "legacy: a new group starts at the earliest offset");
  parse_avro_ = ctx.get_bool("parseAsFlumeEvent", true, "records are Avro-binary AvroFlumeEvents");
  poll_ms_ = static_cast<int>(ctx.get_int("pollTimeout", 500, "ms a take waits for records", 0));
  delivery_timeout_ms_ = ctx.get_int("deliveryTimeout", 30000, "ms to wait for acknowledgements (sluice)", 1);
  producer_props_ = ctx.get_prefixed("kafka.producer.", "kafka.producer.<librdkafka property>");
  consumer_props_ = ctx.get_prefixed("kafka.consumer.", "kafka.consumer.<librdkafka property>");
  map_java_kafka_properties(ctx, "kafka.producer.", producer_props_);
  map_java_kafka_properties(ctx, "kafka.consumer.", consumer_props_);
  producer_props_["bootstrap.servers"] = consumer_props_["bootstrap.servers"] = servers;
  producer_props_.emplace("acks", "all");
  producer_props_.emplace("enable.idempotence", "true");
  consumer_props_["group.id"] = group;
  consumer_props_["enable.auto.commit"] = "false";
  consumer_props_.emplace("auto.offset.reset", smallest ? "earliest" : "latest");
  spread_puts_ = !producer_props_.count("partitioner");
  if (auto it = producer_props_.find("message.max.bytes"); it != producer_props_.end())
    max_record_bytes_ = static_cast<size_t>(std::atoll(it->second.c_str()));
  check_props(ctx, "kafka.producer.", producer_props_);
  check_props(ctx, "kafka.consumer.", consumer_props_);
}

KafkaChannel::~KafkaChannel() { stop(); }

void KafkaChannel::start() {
  char err[512];
  rd_kafka_conf_t* pc = make_conf(producer_props_);
  rd_kafka_conf_set_dr_msg_cb(pc, on_delivery);
  producer_error_.attach(pc, name());
  producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, sizeof err);
  if (!producer_) throw std::runtime_error("kafka channel producer: " + std::string(err));
  ptopic_ = rd_kafka_topic_new(producer_, topic_.c_str(), nullptr);
  rd_kafka_conf_t* cc = make_conf(consumer_props_);
  consumer_error_.attach(cc, name());  // else librdkafka logs them without the channel's name
  consumer_ = rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, sizeof err);
  if (!consumer_) throw std::runtime_error("kafka channel consumer: " + std::string(err));
  rd_kafka_poll_set_consumer(consumer_);
  consumer_queue_ = rd_kafka_queue_get_consumer(consumer_);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic_.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(consumer_, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (e) throw std::runtime_error("kafka channel subscribe: " + std::string(rd_kafka_err2str(e)));
  Channel::start();
}

void KafkaChannel::stop() {
  if (consumer_queue_) {
    rd_kafka_queue_destroy(consumer_queue_);
    consumer_queue_ = nullptr;
  }
  if (consumer_) {
    rd_kafka_consumer_close(consumer_);
    rd_kafka_destroy(consumer_);
    consumer_ = nullptr;
  }
  if (producer_) {
    rd_kafka_flush(producer_, 5000);
    rd_kafka_topic_destroy(ptopic_);
    rd_kafka_destroy(producer_);
    producer_ = nullptr;
    Channel::stop();
  }
}

std::string KafkaChannel::topic_problem() {
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(producer_, 0, ptopic_, &md, 1000) != RD_KAFKA_RESP_ERR_NO_ERROR) return "";
  std::string out;
  if (md->topic_cnt == 1 && (md->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                             md->topics[0].err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC))
    out = "topic " + topic_ + " does not exist on the brokers (create it, or check kafka.topic)";
  rd_kafka_metadata_destroy(md);
  return out;
}

// Without it size() would be 0 and an idle sink runner would sleep out its whole backoff (1 s,
// then up to 5 s) after each empty take, however many records arrived meanwhile.
size_t KafkaChannel::size() const { return consumer_queue_ ? rd_kafka_queue_length(consumer_queue_) : 0; }

std::unique_ptr<Transaction> KafkaChannel::begin() { return std::make_unique<KafkaTransaction>(*this); }

}  // namespace sluice
