// hdfs.path / hdfs.filePrefix escapes, as Flume's BucketPath expands them:
//   %{header}  a header's value (sanitised: '/', '..', control characters cannot leave the root)
//   %[localhost] %[IP] %[FQDN]   the agent host's name, address, canonical name
//   %t ms since epoch, %s seconds, %Y %y year, %m %n month (padded / not), %d %e day, %H %k hour,
//   %I %l 12-hour, %M minute, %S second, %p am/pm, %j day of year, %a %A weekday, %b %B month name,
//   %c date and time, %D mm/dd/yy, %z +hhmm offset, %% a percent sign.
// Time comes from the event's `timestamp` header (ms) unless useLocalTimeStamp; hdfs.round rounds it
// down to roundValue x roundUnit first; hdfs.timeZone picks the zone (default: local).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/event.hpp"

namespace sluice::roller {

class PathError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TimeOptions {
  bool use_local_time = false;
  bool round = false;
  int64_t round_value = 1;
  enum class Unit { Second, Minute, Hour } round_unit = Unit::Second;
  std::string time_zone;  // empty: local time
};

class PathTemplate {
 public:
  // Throws PathError for an unknown escape (reported as a config error by the sink).
  explicit PathTemplate(std::string pattern);
  bool needs_time() const { return needs_time_; }
  bool has_escapes() const { return parts_.size() != 1 || parts_[0].kind != Part::Literal; }
  // Expands for one event. Throws PathError when a needed header (or the timestamp) is missing.
  std::string expand(const Event& e, const TimeOptions& t, int64_t now_ms) const;
  // As expand(), into out. A template whose result depends only on the second (no %{header}, no %t)
  // keeps its last result, so a batch of events from the same second costs one timestamp parse and
  // no formatting. Keeps state: one template per sink thread.
  void expand_into(const Event& e, const TimeOptions& t, int64_t now_ms, std::string& out) const;
  // The fixed leading part (up to the last '/' before the first escape), for crash recovery scans.
  std::string static_prefix() const;

 private:
  struct Part {
    enum Kind { Literal, Header, Host, Time } kind;
    std::string text;  // literal text, header name, host kind, or the time escape letter
  };
  // The event's time in ms for the time escapes (header or now, rounded).
  int64_t event_time(const Event& e, const TimeOptions& t, int64_t now_ms) const;
  std::string render(const Event& e, const TimeOptions& t, int64_t ts) const;

  std::string pattern_;
  std::vector<Part> parts_;
  bool needs_time_ = false;
  bool per_second_ = true;  // the result depends on the time only to the second
  mutable const TimeOptions* cached_for_ = nullptr;
  mutable int64_t cached_second_ = 0;
  mutable std::string cached_;
};

// Replaces what could leave the sink's root or break a path: '/', '\', NUL and control characters
// become '_', and a value of "." or ".." becomes "_".
std::string sanitize_path_component(const std::string& v);

// The agent host's name (localhost), IPv4 address (IP) or canonical name (FQDN), resolved once.
std::string host_value(const std::string& which);

}  // namespace sluice::roller
