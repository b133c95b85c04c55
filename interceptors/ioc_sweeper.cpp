#include "interceptors/ioc_sweeper.hpp"

#include <sys/stat.h>

#include <utility>

#include "agent/log.hpp"
#include "interceptors/ioc/shape_scan.hpp"

namespace sluice {

IocSweeper::IocSweeper(const std::string& name, Context& ctx)
    : Interceptor(name),
      metrics_(std::make_shared<ComponentMetrics>("INTERCEPTOR", name)),
      swept_(metrics_->counter("EventsSwept")),
      hits_(metrics_->counter("Hits")),
      hit_events_(metrics_->counter("EventsWithHits")),
      allowlisted_(metrics_->counter("Allowlisted")),
      duplicates_(metrics_->counter("Duplicates")),
      feed_errors_(metrics_->counter("FeedErrors")),
      reloads_(metrics_->counter("Reloads")),
      reload_failures_(metrics_->counter("ReloadFailures")) {
  auto read_spec = [&](Context c, const std::string& key, const std::string& default_name) {
    ioc::FeedSpec f;
    f.name = c.get_string("name", default_name, "feed name put in ioc.feed");
    f.path = c.require_string("path", "feed file");
    std::string fmt = c.get_choice("format", "text", {"text", "csv", "stix"}, "text, csv or stix (STIX 2.1 bundle)");
    f.format = fmt == "csv" ? ioc::FeedSpec::Format::Csv : fmt == "stix" ? ioc::FeedSpec::Format::Stix : ioc::FeedSpec::Format::Text;
    std::string d = c.get_string("csv.delimiter", ",", "CSV column separator");
    f.delimiter = d.empty() ? ',' : d[0];
    f.header = c.get_bool("csv.header", false, "the first CSV line is a header");
    f.value_column = static_cast<int>(c.get_int("csv.valueColumn", 0, "column of the indicator (0-based)", 0));
    f.type_column = static_cast<int>(c.get_int("csv.typeColumn", -1, "column of the type (-1: detect)", -1));
    f.feed_column = static_cast<int>(c.get_int("csv.feedColumn", -1, "column of a feed name (-1: none)", -1));
    f.expires_column = static_cast<int>(c.get_int("csv.expiresColumn", -1, "column of an expiry date (-1: none)", -1));
    (void)key;
    return f;
  };
  for (const auto& f : ctx.get_list("feeds", "(required) feed names"))
    feeds_.push_back(read_spec(ctx.sub("feeds." + f + "."), "feeds." + f, f));
  if (feeds_.empty()) ctx.error("feeds", "is required (expected feed names, e.g. feeds = tor malware)");
  if (ctx.has("allowlist.path")) allowlist_ = read_spec(ctx.sub("allowlist."), "allowlist", "allowlist");
  else ctx.get_optional("allowlist.path", "file of values that never alert");
  std::string mode = ctx.get_choice("mode", "body", {"body", "squid", "combined", "json", "syslog"},
                                    "where candidates come from: the whole body or a known log format's fields");
  mode_ = mode == "squid"      ? ioc::Mode::Squid
          : mode == "combined" ? ioc::Mode::Combined
          : mode == "json"     ? ioc::Mode::Json
          : mode == "syslog"   ? ioc::Mode::Syslog
                               : ioc::Mode::Body;
  std::string why;
  std::string paths = ctx.get_string("json.paths", "", "mode json: dotted paths of the fields to sweep, space separated");
  if (!ioc::JsonFields::parse(paths, json_.paths, why)) ctx.error("json.paths", why);
  std::vector<std::vector<std::string>> src;
  if (!ioc::JsonFields::parse(ctx.get_string("json.sourcePath", "", "mode json: path of the source (client IP) for dedup"),
                              src, why))
    ctx.error("json.sourcePath", why);
  if (!src.empty()) json_.source_path = src.front();
  if (mode_ == ioc::Mode::Json && json_.paths.empty())
    ctx.error("json.paths", "is required with mode = json (expected dotted paths such as client.ip http.url)");
  max_hits_ = static_cast<size_t>(ctx.get_int("maxHits", 10, "hits listed per event", 1));
  tag_misses_ = ctx.get_bool("tagMisses", false, "add ioc.match=false to events without a hit");
  dedup_window_ms_ = ctx.get_int("dedup.window", 3600, "seconds in which a repeat hit is a duplicate (0: off)", 0) * 1000;
  dedup_header_ = ctx.get_string("dedup.keyHeader", "", "header naming the source for de-duplication");
  reload_interval_s_ = ctx.get_int("reloadInterval", 30, "seconds between checks for changed feeds (0: off)", 0);
  metrics_->gauge("IndicatorsLoaded", [this] { return std::to_string(indicators()); });
  metrics_->gauge("LastReloadTime", [this] { return std::to_string(last_reload_ms_.load()); });
  metrics_->gauge("LastReloadAttemptTime", [this] { return std::to_string(last_attempt_ms_.load()); });
  metrics_->gauge("LastReloadSuccess", [this] { return std::to_string(last_ok_.load()); });
  metrics_->gauge("LoadTimeMs", [this] { return std::to_string(load_time_ms_.load()); });
  auto loaded = [this] {
    std::lock_guard l(mu_);
    return current_;
  };
  metrics_->family("IndicatorsByFeed", {"feed", "type"}, false, [loaded] {
    std::vector<ComponentMetrics::Member> out;
    if (auto cur = loaded())
      for (const auto& c : cur->by_feed)
        out.push_back({{c.feed, ioc::type_name(c.type)}, static_cast<int64_t>(c.count)});
    return out;
  });
  metrics_->family("FeedLoadMs", {"feed"}, false, [loaded] {
    std::vector<ComponentMetrics::Member> out;
    if (auto cur = loaded())
      for (const auto& [feed, ms] : cur->load_ms) out.push_back({{feed}, ms});
    return out;
  });
  metrics_->family("HitsByFeed", {"feed", "type"}, true, [this] { return hits_by_feed(); });
}

std::vector<ComponentMetrics::Member> IocSweeper::hits_by_feed() const {
  std::vector<ComponentMetrics::Member> out;
  std::lock_guard l(hits_mu_);
  for (const auto& [key, n] : hits_by_) out.push_back({{key.first, ioc::type_name(key.second)}, n});
  return out;
}

// Feed names can come from a CSV column, so their number is the data's: past kMaxHitKeys pairs,
// hits of a new pair count under feed "(other)".
void IocSweeper::count_hit(const std::string& feed, ioc::Type type) {
  constexpr size_t kMaxHitKeys = 4096;
  std::lock_guard l(hits_mu_);
  auto it = hits_by_.find({feed, type});
  if (it == hits_by_.end())
    it = hits_by_.try_emplace({hits_by_.size() < kMaxHitKeys ? feed : std::string("(other)"), type}, 0).first;
  ++it->second;
}

IocSweeper::~IocSweeper() { stop(); }

size_t IocSweeper::indicators() const {
  std::lock_guard l(mu_);
  return current_ ? current_->set.size() : 0;
}

int64_t IocSweeper::newest_mtime() const {
  int64_t newest = 0;
  auto check = [&](const std::string& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0)
      newest = std::max<int64_t>(newest, st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
  };
  for (const auto& f : feeds_) check(f.path);
  if (allowlist_) check(allowlist_->path);
  return newest;
}

bool IocSweeper::reload() {
  auto fresh = std::make_shared<Loaded>();
  int64_t start = now_ms();
  int64_t mtime = newest_mtime();
  last_attempt_ms_ = start;
  try {
    for (const auto& f : feeds_) {
      int64_t feed_start = now_ms();
      auto r = ioc::load_feed(f, fresh->set, start / 1000);
      fresh->load_ms.emplace_back(f.name, now_ms() - feed_start);
      feed_errors_.inc(static_cast<int64_t>(r.bad_lines + r.unsupported));
      for (const auto& e : r.errors) SLUICE_LOG(Warn, name_) << e;
      SLUICE_LOG(Info, name_) << "feed " << f.name << ": " << r.loaded << " indicators (" << r.bad_lines
                              << " bad lines, " << r.expired << " expired, " << r.unsupported << " unsupported patterns)";
    }
    if (allowlist_) ioc::load_feed(*allowlist_, fresh->allow, start / 1000);
    fresh->shapes = fresh->set.shapes_needed();
    fresh->by_feed = fresh->set.counts_by_feed_and_type();
    ioc::prepare_shapes(fresh->shapes);  // compile a database not used before here, off the hot path
  } catch (const std::exception& e) {
    reload_failures_.inc();
    last_ok_ = 0;
    SLUICE_LOG(Error, name_) << "feed reload failed, keeping the previous indicators: " << e.what();
    return false;
  }
  std::shared_ptr<const Loaded> replaced = std::move(fresh);
  {
    std::lock_guard l(mu_);
    current_.swap(replaced);
  }
  replaced.reset();  // the old set is freed outside the lock (the hot path takes the lock per batch)
  loaded_mtime_ = mtime;
  reloads_.inc();
  last_reload_ms_ = now_ms();
  load_time_ms_ = last_reload_ms_ - start;
  last_ok_ = 1;
  SLUICE_LOG(Info, name_) << indicators() << " indicators loaded in " << load_time_ms_.load() << " ms";
  return true;
}

void IocSweeper::start() {
  if (!reload()) throw std::runtime_error("ioc_sweeper " + name_ + ": the feeds could not be loaded");
  stop_ = false;
  watcher_ = std::thread([this] { watch(); });
}

void IocSweeper::stop() {
  if (!watcher_.joinable()) return;
  {
    std::lock_guard l(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  watcher_.join();
}

void IocSweeper::refresh() {
  {
    std::lock_guard l(stop_mu_);
    refresh_ = true;
  }
  stop_cv_.notify_all();
}

// Wakes every reloadInterval to compare the files' mtimes (never with 0), and on refresh().
void IocSweeper::watch() {
  std::unique_lock l(stop_mu_);
  auto woken = [this] { return stop_.load() || refresh_; };
  while (true) {
    if (reload_interval_s_ > 0)
      stop_cv_.wait_for(l, std::chrono::seconds(reload_interval_s_), woken);
    else
      stop_cv_.wait(l, woken);
    if (stop_) return;
    bool asked = std::exchange(refresh_, false);
    if (!asked && (reload_interval_s_ == 0 || newest_mtime() == loaded_mtime_)) continue;
    l.unlock();
    if (asked) SLUICE_LOG(Info, name_) << "SIGHUP: re-reading the feeds and the allowlist";
    reload();
    l.lock();
  }
}

void IocSweeper::intercept(Batch& batch) {
  std::shared_ptr<const Loaded> cur;
  {
    std::lock_guard l(mu_);
    cur = current_;
  }
  if (!cur) return;
  // Two slots, reused from batch to batch (their buffers keep their capacity): event i is
  // extracted and its probes prepared in slot i % 2 while event i - 1 is looked up from the other,
  // so the presence-filter blocks of one event load while the previous one is probed.
  thread_local ioc::Candidates cands[2];
  thread_local ioc::IndicatorSet::Probes probes[2];
  int64_t now = now_ms();
  swept_.inc(static_cast<int64_t>(batch.size()));
  Event* pending = nullptr;
  size_t pending_slot = 0;
  auto step = [&](Event& e, size_t slot) {
    cur->set.prepare(cands[slot].items, probes[slot]);
    if (pending) tag(*pending, *cur, cands[pending_slot], probes[pending_slot], now);
    pending = &e;
    pending_slot = slot;
  };
  if (mode_ == ioc::Mode::Body) {
    ioc::extract_bodies(
        batch.size(), [&](size_t i) { return std::string_view(batch[i].body); },
        [&](size_t i, const ioc::Candidates&) { step(batch[i], i % 2); }, std::span<ioc::Candidates>(cands),
        cur->shapes);
  } else {
    for (size_t i = 0; i < batch.size(); ++i) {
      if (mode_ == ioc::Mode::Json) ioc::extract_json(batch[i].body, json_, cands[i % 2]);
      else ioc::extract(batch[i].body, mode_, cands[i % 2]);
      step(batch[i], i % 2);
    }
  }
  if (pending) tag(*pending, *cur, cands[pending_slot], probes[pending_slot], now);
}

void IocSweeper::tag(Event& e, const Loaded& cur, const ioc::Candidates& c, const ioc::IndicatorSet::Probes& p,
                     int64_t now) {
  std::string types, values, feeds, allowed;
  size_t count = 0;
  bool duplicate = true;
  cur.set.finish(c.items, p, [&](const ioc::Candidate& cand, const ioc::Match& m) {
    if (cur.allow.lookup(cand)) {
      allowlisted_.inc();
      if (allowed.empty()) allowed = cand.value;
      return;
    }
    ++count;
    count_hit(m.feed, m.type);
    if (count <= max_hits_) {
      types += (types.empty() ? "" : ",") + std::string(ioc::type_name(m.type));
      values += (values.empty() ? "" : ",") + m.value;
      feeds += (feeds.empty() ? "" : ",") + m.feed;
    }
    if (dedup_window_ms_ > 0) {
      std::string source = dedup_header_.empty() ? c.source_key : e.headers.get(dedup_header_, c.source_key);
      std::string key = m.value + "|" + source;
      std::lock_guard l(dedup_mu_);
      auto it = seen_.find(key);
      if (it == seen_.end() || now - it->second >= dedup_window_ms_) duplicate = false;
      if (seen_.size() > 1000000) seen_.clear();  // bounded; repeats after a clear alert again
      seen_[key] = now;
    } else {
      duplicate = false;
    }
  });
  if (!allowed.empty()) e.headers.set("ioc.allowlisted", allowed);
  if (count == 0) {
    if (tag_misses_) e.headers.set("ioc.match", "false");
    return;
  }
  hits_.inc(static_cast<int64_t>(count));
  hit_events_.inc();
  e.headers.set("ioc.match", "true");
  e.headers.set("ioc.type", types);
  e.headers.set("ioc.value", values);
  e.headers.set("ioc.feed", feeds);
  e.headers.set("ioc.count", std::to_string(count));
  if (duplicate) {
    duplicates_.inc();
    e.headers.set("ioc.duplicate", "true");
  }
}

}  // namespace sluice
