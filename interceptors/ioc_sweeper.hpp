// Type: ioc_sweeper (sluice). Sweeps every event against threat-intelligence feeds and tags hits.
// Keys: feeds (required; names), feeds.<f>.path, feeds.<f>.format (text | csv | stix),
// feeds.<f>.name (the feed name put in ioc.feed; default <f>), feeds.<f>.csv.delimiter (,),
// feeds.<f>.csv.header (false), feeds.<f>.csv.valueColumn (0), .typeColumn, .feedColumn,
// .expiresColumn (-1: none); allowlist.path, allowlist.format (text); mode (body | squid |
// combined | syslog (message part only) | json: json.paths = dotted paths to sweep, json.sourcePath = the client IP's path);
// maxHits (10); tagMisses (false); dedup.window (3600 s; 0 off); dedup.keyHeader (a header naming
// the source, e.g. clientip; squid/combined/json modes use the client IP field);
// reloadInterval (30 s between checks for changed files; 0 off: then only SIGHUP re-reads them).
// On a hit: ioc.match=true, ioc.type / ioc.value / ioc.feed (comma-separated, up to maxHits),
// ioc.count (all hits). An allowlisted value never alerts: ioc.allowlisted=<value>. The same
// (indicator, source) within dedup.window: ioc.duplicate=true. Events are never dropped.
// Feeds are re-read when they change, built off the hot path and swapped in whole; a failed
// reload keeps the previous set. Metrics: INTERCEPTOR.<name>: EventsSwept, Hits, EventsWithHits,
// Allowlisted, Duplicates, FeedErrors, Reloads, ReloadFailures, IndicatorsLoaded, LoadTimeMs,
// LastReloadTime, LastReloadAttemptTime, LastReloadSuccess (1/0), and by labels
// IndicatorsByFeed{feed,type}, HitsByFeed{feed,type}, FeedLoadMs{feed}.
#pragma once
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "agent/context.hpp"
#include "agent/interceptor.hpp"
#include "interceptors/ioc/extract.hpp"
#include "interceptors/ioc/extract_json.hpp"
#include "interceptors/ioc/feed.hpp"

namespace sluice {

class IocSweeper : public Interceptor {
 public:
  IocSweeper(const std::string& name, Context& ctx);
  ~IocSweeper() override;
  void start() override;
  void stop() override;
  void intercept(Batch& batch) override;
  // SIGHUP: the watcher thread re-reads every feed and the allowlist now (also with
  // reloadInterval = 0); returns at once.
  void refresh() override;
  bool only_sets_headers() const override { return true; }  // the ioc.* headers; every event is kept
  std::shared_ptr<ComponentMetrics> metrics() const override { return metrics_; }
  // Loads every feed and the allowlist; true and swaps them in if all could be read.
  bool reload();
  size_t indicators() const;

 private:
  struct Loaded {
    ioc::IndicatorSet set, allow;
    unsigned shapes = 0;  // what body mode scans for: only shapes that set's types can match
    std::vector<ioc::IndicatorSet::FeedTypeCount> by_feed;  // IndicatorsByFeed
    std::vector<std::pair<std::string, int64_t>> load_ms;  // FeedLoadMs: per configured feed
  };
  std::vector<ComponentMetrics::Member> hits_by_feed() const;
  void count_hit(const std::string& feed, ioc::Type type);
  void watch();
  int64_t newest_mtime() const;
  // Looks up one event's candidates (probes prepared by IndicatorSet::prepare) and sets its ioc.* headers.
  void tag(Event& e, const Loaded& cur, const ioc::Candidates& c, const ioc::IndicatorSet::Probes& p, int64_t now);

  std::vector<ioc::FeedSpec> feeds_;
  std::optional<ioc::FeedSpec> allowlist_;
  ioc::Mode mode_;
  ioc::JsonFields json_;
  size_t max_hits_;
  bool tag_misses_;
  int64_t dedup_window_ms_;
  std::string dedup_header_;
  int64_t reload_interval_s_;

  mutable std::mutex mu_;  // guards current_ (swapped whole on reload)
  std::shared_ptr<const Loaded> current_;
  std::mutex dedup_mu_;
  std::unordered_map<std::string, int64_t> seen_;  // "indicator|source" -> last hit ms (bounded)
  std::shared_ptr<ComponentMetrics> metrics_;
  Counter &swept_, &hits_, &hit_events_, &allowlisted_, &duplicates_, &feed_errors_, &reloads_, &reload_failures_;
  std::atomic<int64_t> last_reload_ms_{0};          // last successful load, ms since the epoch
  std::atomic<int64_t> last_attempt_ms_{0};         // last load tried
  std::atomic<int64_t> last_ok_{0};                 // 1: the last load succeeded
  std::atomic<int64_t> load_time_ms_{0};            // how long the last successful load took
  mutable std::mutex hits_mu_;                      // guards hits_by_
  std::map<std::pair<std::string, ioc::Type>, int64_t> hits_by_;  // HitsByFeed (bounded)
  int64_t loaded_mtime_ = 0;
  std::atomic<bool> stop_{false};
  bool refresh_ = false;  // a SIGHUP asked the watcher for a reload (guarded by stop_mu_)
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;  // wakes the watcher: stop_ or refresh_
  std::thread watcher_;
};

}  // namespace sluice
