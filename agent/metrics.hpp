// Metrics with Flume's names. Each component owns a ComponentMetrics ("SOURCE.r1", "CHANNEL.c1", ...)
// holding named counters (stable addresses, lock-free to bump) and gauges (computed on read).
// MetricsRegistry renders all of them as Flume's JSON (/metrics) and as Prometheus text (/prometheus).
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

class Counter {
 public:
  void inc(int64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  void set(int64_t n) { v_.store(n, std::memory_order_relaxed); }
  int64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

class ComponentMetrics {
 public:
  // type: SOURCE, CHANNEL, SINK, INTERCEPTOR (Flume's MonitoredCounterGroup types).
  ComponentMetrics(std::string type, std::string name);
  const std::string& type() const { return type_; }
  const std::string& name() const { return name_; }
  std::string key() const { return type_ + "." + name_; }

  // Registers (or returns) a counter. Register all counters at construction time.
  Counter& counter(std::string_view name);
  // A value computed when metrics are read (e.g. ChannelSize). Must be thread-safe.
  void gauge(std::string name, std::function<std::string()> read);
  // A family of values told apart by labels (e.g. hits per feed and type), read when metrics are
  // read; must be thread-safe. JSON: one key per member, "Name.label1.label2..."; Prometheus: one
  // sample per member, labelled with label_names, typed counter or gauge.
  struct Member {
    std::vector<std::string> labels;  // one per label name
    int64_t value;
  };
  void family(std::string name, std::vector<std::string> label_names, bool counter,
              std::function<std::vector<Member>()> read);
  struct FamilySample {
    std::string name;
    bool counter;
    std::vector<std::pair<std::string, std::string>> labels;
    int64_t value;
  };
  std::vector<FamilySample> family_samples() const;
  void mark_start();
  void mark_stop();

  // Name/value pairs as strings, Flume style, incl. Type, StartTime, StopTime; with_families: the
  // families' members too, as "Name.label1.label2..." keys.
  std::vector<std::pair<std::string, std::string>> snapshot(bool with_families = true) const;

 private:
  std::string type_, name_;
  mutable std::mutex mu_;
  std::deque<std::pair<std::string, Counter>> counters_;
  std::vector<std::pair<std::string, std::function<std::string()>>> gauges_;
  struct Family {
    std::string name;
    std::vector<std::string> label_names;
    bool counter;
    std::function<std::vector<Member>()> read;
  };
  std::vector<Family> families_;
  std::atomic<int64_t> start_ms_{0}, stop_ms_{0};
};

// Flume's SourceCounter.
struct SourceCounters {
  explicit SourceCounters(std::string name);
  std::shared_ptr<ComponentMetrics> group;
  Counter& events_received;
  Counter& events_accepted;
  Counter& append_received;
  Counter& append_accepted;
  Counter& append_batch_received;
  Counter& append_batch_accepted;
  Counter& open_connections;
  Counter& channel_write_fail;
  Counter& event_read_fail;
  Counter& generic_processing_fail;
};

// Flume's ChannelCounter (size/capacity/fill are gauges the channel registers).
struct ChannelCounters {
  explicit ChannelCounters(std::string name);
  std::shared_ptr<ComponentMetrics> group;
  Counter& put_attempt;
  Counter& put_success;
  Counter& take_attempt;
  Counter& take_success;
};

// Flume's SinkCounter.
struct SinkCounters {
  explicit SinkCounters(std::string name);
  std::shared_ptr<ComponentMetrics> group;
  Counter& connection_created;
  Counter& connection_closed;
  Counter& connection_failed;
  Counter& batch_empty;
  Counter& batch_underflow;
  Counter& batch_complete;
  Counter& drain_attempt;
  Counter& drain_success;
  Counter& event_write_fail;
  Counter& channel_read_fail;
};

class MetricsRegistry {
 public:
  void add(std::shared_ptr<ComponentMetrics> m);
  void remove(const std::string& key);
  void clear();
  // {"SOURCE.r1": {"Type": "SOURCE", "EventReceivedCount": "10", ...}, ...}
  std::string to_json() const;
  // sluice_source_event_received_count{component="r1"} 10 ...
  std::string to_prometheus() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<ComponentMetrics>> groups_;
};

int64_t now_ms();

}  // namespace sluice
