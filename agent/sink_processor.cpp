#include "agent/sink_processor.hpp"

#include <strings.h>

#include <algorithm>
#include <map>
#include <random>

#include "agent/log.hpp"

namespace sluice {

void SinkProcessor::start() {
  for (Sink* s : sinks_) s->start();
}
void SinkProcessor::stop() {
  for (Sink* s : sinks_) s->stop();
}

namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class DefaultProcessor : public SinkProcessor {
 public:
  explicit DefaultProcessor(Sink* s) { sinks_.push_back(s); }
  Sink::Status process() override { return sinks_[0]->process(); }
};

// Flume's FailoverSinkProcessor: the live sink with the highest priority takes the batches; a sink
// that fails is put aside for min(maxpenalty, 1 s << failures) and tried again after that.
class FailoverProcessor : public SinkProcessor {
 public:
  FailoverProcessor(Context& ctx, const std::vector<Sink*>& sinks) {
    sinks_ = sinks;
    max_penalty_ms_ = ctx.get_int("maxpenalty", 30000, "longest time a failed sink is set aside, ms", 0);
    for (size_t i = 0; i < sinks.size(); ++i) {
      // Flume's default priority is the negative of the sink's position... equal priorities keep list order.
      int64_t prio = ctx.get_int("priority." + sinks[i]->name(), -static_cast<int64_t>(i),
                                 "priority of that sink (higher is preferred)");
      state_.push_back({sinks[i], prio, 0, 0});
    }
    ctx.get_prefixed("priority.", "priority.<sink> = number; higher is preferred");
    std::stable_sort(state_.begin(), state_.end(), [](const S& a, const S& b) { return a.priority > b.priority; });
  }

  Sink::Status process() override {
    int64_t now = steady_ms();
    std::string last_error;
    for (auto& s : state_) {
      if (s.failures > 0 && now < s.retry_at) continue;
      try {
        Sink::Status st = s.sink->process();
        if (s.failures > 0) SLUICE_LOG(Info, s.sink->name()) << "sink is back in the failover group";
        s.failures = 0;
        return st;
      } catch (const std::exception& e) {
        ++s.failures;
        s.retry_at = now + std::min<int64_t>(max_penalty_ms_, 1000LL << std::min(s.failures, 20));
        last_error = e.what();
        SLUICE_LOG(Warn, s.sink->name()) << "sink failed, failing over: " << e.what();
      }
    }
    throw DeliveryException("all sinks of the failover group failed or are set aside" +
                            (last_error.empty() ? std::string() : ": " + last_error));
  }

 private:
  struct S {
    Sink* sink;
    int64_t priority;
    int failures;
    int64_t retry_at;
  };
  std::vector<S> state_;
  int64_t max_penalty_ms_;
};

// Flume's LoadBalancingSinkProcessor with round_robin or random order; with backoff a failed sink is
// skipped for min(selector.maxTimeOut, 1 s << failures).
class LoadBalanceProcessor : public SinkProcessor {
 public:
  LoadBalanceProcessor(Context& ctx, const std::vector<Sink*>& sinks) : rng_(std::random_device{}()) {
    sinks_ = sinks;
    backoff_ = ctx.get_bool("backoff", false, "set failed sinks aside for a while");
    random_ = ctx.get_choice("selector", "round_robin", {"round_robin", "random"}, "order sinks are tried in") ==
              "random";
    max_timeout_ms_ = ctx.get_int("selector.maxTimeOut", 30000, "longest time a failed sink is set aside, ms", 0);
    failures_.assign(sinks.size(), 0);
    retry_at_.assign(sinks.size(), 0);
  }

  Sink::Status process() override {
    size_t n = sinks_.size();
    std::vector<size_t> order(n);
    if (random_) {
      for (size_t i = 0; i < n; ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng_);
    } else {
      size_t start = next_++ % n;
      for (size_t i = 0; i < n; ++i) order[i] = (start + i) % n;
    }
    int64_t now = steady_ms();
    std::string last_error;
    for (size_t i : order) {
      if (backoff_ && failures_[i] > 0 && now < retry_at_[i]) continue;
      try {
        Sink::Status st = sinks_[i]->process();
        failures_[i] = 0;
        return st;
      } catch (const std::exception& e) {
        ++failures_[i];
        retry_at_[i] = now + std::min<int64_t>(max_timeout_ms_, 1000LL << std::min(failures_[i], 20));
        last_error = e.what();
      }
    }
    throw DeliveryException("all sinks of the load_balance group failed" +
                            (last_error.empty() ? std::string() : ": " + last_error));
  }

 private:
  bool backoff_, random_;
  int64_t max_timeout_ms_;
  std::vector<int> failures_;
  std::vector<int64_t> retry_at_;
  size_t next_ = 0;
  std::mt19937 rng_;
};

}  // namespace

std::unique_ptr<SinkProcessor> make_default_processor(Sink* sink) { return std::make_unique<DefaultProcessor>(sink); }

std::unique_ptr<SinkProcessor> make_sink_processor(Context ctx, const std::vector<Sink*>& sinks) {
  std::string type = "default";
  if (auto raw = ctx.get_optional("type", "default | failover | load_balance")) {
    static const std::map<std::string, std::string> kClassNames = {
        {"org.apache.flume.sink.DefaultSinkProcessor", "default"},
        {"org.apache.flume.sink.FailoverSinkProcessor", "failover"},
        {"org.apache.flume.sink.LoadBalancingSinkProcessor", "load_balance"}};
    auto it = kClassNames.find(*raw);
    type = it != kClassNames.end() ? it->second : *raw;
    for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (type == "failover") return std::make_unique<FailoverProcessor>(ctx, sinks);
  if (type == "load_balance") return std::make_unique<LoadBalanceProcessor>(ctx, sinks);
  if (type == "default") {
    if (sinks.size() != 1) {
      ctx.error("type", "default processor takes exactly one sink, the group has " + std::to_string(sinks.size()) +
                            " (expected failover or load_balance)");
      return nullptr;
    }
    return make_default_processor(sinks[0]);
  }
  ctx.error("type", "'" + type + "' is not a sink processor (expected default, failover or load_balance)");
  return nullptr;
}

SinkRunner::SinkRunner(std::string name, std::unique_ptr<SinkProcessor> processor)
    : name_(std::move(name)), processor_(std::move(processor)) {}

SinkRunner::~SinkRunner() { stop(std::chrono::milliseconds(0)); }

void SinkRunner::start() {
  stop_ = false;
  processor_->start();
  thread_ = std::thread([this] { run(); });
}

void SinkRunner::stop(std::chrono::milliseconds drain_timeout) {
  if (!thread_.joinable()) return;
  drain_deadline_ns_ = (std::chrono::steady_clock::now() + drain_timeout).time_since_epoch().count();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (Sink* s : processor_->sinks())
    if (s->channel()) s->channel()->wake();
  thread_.join();
  processor_->stop();
}

void SinkRunner::run() {
  constexpr int64_t kIncrementMs = 1000, kMaxMs = 5000;
  int64_t backoff_ms = 0;
  RateLimit fail_log;
  while (true) {
    if (stop_) {
      bool pending = false;
      for (Sink* s : processor_->sinks())
        if (s->channel() && s->channel()->size() > 0) pending = true;
      if (!pending || std::chrono::steady_clock::now().time_since_epoch().count() >= drain_deadline_ns_) break;
    }
    Sink::Status st;
    bool failed = false;  // a failed delivery sits out its whole backoff; an idle sink wakes for events
    try {
      st = processor_->process();
    } catch (const std::exception& e) {
      st = Sink::Status::Backoff;
      failed = true;
      if (fail_log.allow()) SLUICE_LOG(Warn, name_) << "unable to deliver, backing off: " << e.what();
    }
    if (st == Sink::Status::Ready) {
      backoff_ms = 0;
      continue;
    }
    backoff_ms = std::min(backoff_ms + kIncrementMs, kMaxMs);
    std::unique_lock lock(mu_);
    if (stop_) {
      // While draining, back off briefly so the deadline is honoured.
      cv_.wait_for(lock, std::chrono::milliseconds(50));
    } else {
      // Flume sleeps out the whole backoff; an idle sink here also wakes, within 20 ms, when a channel
      // of its sinks has events again, so a quiet pipeline does not add up to 5 s of latency. After a
      // failure the events are still there: then the whole backoff is kept.
      auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(backoff_ms);
      while (!stop_ && std::chrono::steady_clock::now() < until) {
        if (failed) {
          cv_.wait_until(lock, until, [this] { return stop_.load(); });
          break;
        }
        bool has_events = false;
        for (Sink* s : processor_->sinks())
          if (s->channel() && s->channel()->size() > 0) has_events = true;
        if (has_events) break;
        cv_.wait_for(lock, std::chrono::milliseconds(20), [this] { return stop_.load(); });
      }
    }
  }
}

}  // namespace sluice
