#include "agent/metrics.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <map>
#include <set>

namespace sluice {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ComponentMetrics::ComponentMetrics(std::string type, std::string name) : type_(std::move(type)), name_(std::move(name)) {}

Counter& ComponentMetrics::counter(std::string_view name) {
  std::lock_guard lock(mu_);
  for (auto& [n, c] : counters_)
    if (n == name) return c;
  counters_.emplace_back(std::piecewise_construct, std::forward_as_tuple(name), std::forward_as_tuple());
  return counters_.back().second;
}

void ComponentMetrics::gauge(std::string name, std::function<std::string()> read) {
  std::lock_guard lock(mu_);
  for (auto& [n, g] : gauges_) {
    if (n == name) {
      g = std::move(read);
      return;
    }
  }
  gauges_.emplace_back(std::move(name), std::move(read));
}

void ComponentMetrics::family(std::string name, std::vector<std::string> label_names, bool counter,
                              std::function<std::vector<Member>()> read) {
  std::lock_guard lock(mu_);
  for (auto& f : families_)
    if (f.name == name) {
      f = Family{std::move(name), std::move(label_names), counter, std::move(read)};
      return;
    }
  families_.push_back(Family{std::move(name), std::move(label_names), counter, std::move(read)});
}

std::vector<ComponentMetrics::FamilySample> ComponentMetrics::family_samples() const {
  std::vector<FamilySample> out;
  std::lock_guard lock(mu_);
  for (const auto& f : families_)
    for (auto& m : f.read()) {
      FamilySample s{f.name, f.counter, {}, m.value};
      for (size_t i = 0; i < f.label_names.size() && i < m.labels.size(); ++i)
        s.labels.emplace_back(f.label_names[i], std::move(m.labels[i]));
      out.push_back(std::move(s));
    }
  return out;
}

void ComponentMetrics::mark_start() {
  start_ms_ = now_ms();
  stop_ms_ = 0;
}
void ComponentMetrics::mark_stop() { stop_ms_ = now_ms(); }

std::vector<std::pair<std::string, std::string>> ComponentMetrics::snapshot(bool with_families) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::lock_guard lock(mu_);
  out.emplace_back("Type", type_);
  out.emplace_back("StartTime", std::to_string(start_ms_.load()));
  out.emplace_back("StopTime", std::to_string(stop_ms_.load()));
  for (const auto& [n, c] : counters_) out.emplace_back(n, std::to_string(c.get()));
  for (const auto& [n, g] : gauges_) out.emplace_back(n, g());
  if (with_families)
    for (const auto& f : families_)
      for (const auto& m : f.read()) {
        std::string key = f.name;
        for (const auto& l : m.labels) key += "." + l;
        out.emplace_back(std::move(key), std::to_string(m.value));
      }
  return out;
}

SourceCounters::SourceCounters(std::string name)
    : group(std::make_shared<ComponentMetrics>("SOURCE", std::move(name))),
      events_received(group->counter("EventReceivedCount")),
      events_accepted(group->counter("EventAcceptedCount")),
      append_received(group->counter("AppendReceivedCount")),
      append_accepted(group->counter("AppendAcceptedCount")),
      append_batch_received(group->counter("AppendBatchReceivedCount")),
      append_batch_accepted(group->counter("AppendBatchAcceptedCount")),
      open_connections(group->counter("OpenConnectionCount")),
      channel_write_fail(group->counter("ChannelWriteFail")),
      event_read_fail(group->counter("EventReadFail")),
      generic_processing_fail(group->counter("GenericProcessingFail")) {}

ChannelCounters::ChannelCounters(std::string name)
    : group(std::make_shared<ComponentMetrics>("CHANNEL", std::move(name))),
      put_attempt(group->counter("EventPutAttemptCount")),
      put_success(group->counter("EventPutSuccessCount")),
      take_attempt(group->counter("EventTakeAttemptCount")),
      take_success(group->counter("EventTakeSuccessCount")) {}

SinkCounters::SinkCounters(std::string name)
    : group(std::make_shared<ComponentMetrics>("SINK", std::move(name))),
      connection_created(group->counter("ConnectionCreatedCount")),
      connection_closed(group->counter("ConnectionClosedCount")),
      connection_failed(group->counter("ConnectionFailedCount")),
      batch_empty(group->counter("BatchEmptyCount")),
      batch_underflow(group->counter("BatchUnderflowCount")),
      batch_complete(group->counter("BatchCompleteCount")),
      drain_attempt(group->counter("EventDrainAttemptCount")),
      drain_success(group->counter("EventDrainSuccessCount")),
      event_write_fail(group->counter("EventWriteFail")),
      channel_read_fail(group->counter("ChannelReadFail")) {}

void MetricsRegistry::add(std::shared_ptr<ComponentMetrics> m) {
  std::lock_guard lock(mu_);
  std::string k = m->key();
  groups_.erase(std::remove_if(groups_.begin(), groups_.end(), [&](const auto& g) { return g->key() == k; }),
                groups_.end());
  groups_.push_back(std::move(m));
}

void MetricsRegistry::remove(const std::string& key) {
  std::lock_guard lock(mu_);
  groups_.erase(std::remove_if(groups_.begin(), groups_.end(), [&](const auto& g) { return g->key() == key; }),
                groups_.end());
}

void MetricsRegistry::clear() {
  std::lock_guard lock(mu_);
  groups_.clear();
}

std::string MetricsRegistry::to_json() const {
  boost::json::object root;
  std::lock_guard lock(mu_);
  for (const auto& g : groups_) {
    boost::json::object o;
    for (auto& [k, v] : g->snapshot()) o[k] = v;
    root[g->key()] = std::move(o);
  }
  return boost::json::serialize(root);
}

namespace {
// EventReceivedCount -> event_received_count
std::string snake(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    char c = camel[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (i > 0 && !std::isupper(static_cast<unsigned char>(camel[i - 1]))) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (std::isalnum(static_cast<unsigned char>(c))) {
      out += c;
    } else {
      out += '_';
    }
  }
  return out;
}
std::string prom_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
bool numeric(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}
}  // namespace

std::string MetricsRegistry::to_prometheus() const {
  // Group samples by metric name so each name gets one TYPE line.
  std::map<std::string, std::vector<std::string>> by_name;
  std::set<std::string> counters;  // families declared counters
  {
    std::lock_guard lock(mu_);
    for (const auto& g : groups_) {
      std::string type_lc = snake(g->type());
      for (auto& [k, v] : g->snapshot(false)) {
        if (k == "Type" || !numeric(v)) continue;
        std::string name = "sluice_" + type_lc + "_" + snake(k);
        by_name[name].push_back(name + "{component=\"" + prom_escape(g->name()) + "\"} " + v);
      }
      for (const auto& f : g->family_samples()) {
        std::string name = "sluice_" + type_lc + "_" + snake(f.name);
        if (f.counter) counters.insert(name);
        std::string sample = name + "{component=\"" + prom_escape(g->name()) + "\"";
        for (const auto& [l, v] : f.labels) sample += "," + l + "=\"" + prom_escape(v) + "\"";
        by_name[name].push_back(sample + "} " + std::to_string(f.value));
      }
    }
  }
  std::string out;
  for (const auto& [name, samples] : by_name) {
    bool counter = counters.count(name) || name.ends_with("_count") || name.ends_with("_fail");
    out += "# TYPE " + name + (counter ? " counter\n" : " gauge\n");
    for (const auto& s : samples) out += s + "\n";
  }
  return out;
}

}  // namespace sluice
