// Logging to stderr, one line per record: "2026-11-24T22:41:40.123Z INFO  [component] message".
// Usage: SLUICE_LOG(Info, name_) << "opened " << path;
#pragma once
#include <atomic>
#include <chrono>
#include <sstream>
#include <string>
#include <string_view>

namespace sluice {

enum class LogLevel { Trace = 0, Debug, Info, Warn, Error, Off };

class Log {
 public:
  static LogLevel level() { return level_.load(std::memory_order_relaxed); }
  static void set_level(LogLevel l) { level_.store(l, std::memory_order_relaxed); }
  // Accepts Flume/log4j names: TRACE DEBUG INFO WARN ERROR OFF (case-insensitive). False if unknown.
  static bool parse_level(std::string_view s, LogLevel& out);
  static bool enabled(LogLevel l) { return l >= level(); }
  static void write(LogLevel l, std::string_view component, std::string_view msg);

 private:
  static std::atomic<LogLevel> level_;
};

class LogLine {
 public:
  LogLine(LogLevel l, std::string_view component) : level_(l), component_(component) {}
  ~LogLine() { Log::write(level_, component_, out_.str()); }
  template <typename T>
  LogLine& operator<<(const T& v) {
    out_ << v;
    return *this;
  }

 private:
  LogLevel level_;
  std::string_view component_;
  std::ostringstream out_;
};

// Lets a failure that repeats per event or per batch be logged once per interval, with a count
// of how many times it happened since the last line.
class RateLimit {
 public:
  explicit RateLimit(std::chrono::milliseconds interval = std::chrono::seconds(10)) : interval_(interval) {}
  // True when a line should be written now; suppressed() then tells how many were skipped.
  bool allow();
  uint64_t suppressed() const { return last_suppressed_; }

 private:
  std::chrono::milliseconds interval_;
  std::atomic<int64_t> next_ns_{0};
  std::atomic<uint64_t> skipped_{0};
  uint64_t last_suppressed_ = 0;
};

}  // namespace sluice

// A for-statement (not if/else) so the macro is safe inside an unbraced if.
#define SLUICE_LOG(LEVEL, COMPONENT)                                                             \
  for (bool sluice_log_once_ = ::sluice::Log::enabled(::sluice::LogLevel::LEVEL); sluice_log_once_; \
       sluice_log_once_ = false)                                                                  \
  ::sluice::LogLine(::sluice::LogLevel::LEVEL, (COMPONENT))
