#include "agent/log.hpp"

#include <strings.h>

#include <cstdio>
#include <ctime>
#include <mutex>

namespace sluice {

std::atomic<LogLevel> Log::level_{LogLevel::Info};

bool Log::parse_level(std::string_view s, LogLevel& out) {
  static constexpr std::pair<const char*, LogLevel> kNames[] = {
      {"TRACE", LogLevel::Trace}, {"DEBUG", LogLevel::Debug}, {"INFO", LogLevel::Info},
      {"WARN", LogLevel::Warn},   {"WARNING", LogLevel::Warn}, {"ERROR", LogLevel::Error},
      {"FATAL", LogLevel::Error}, {"OFF", LogLevel::Off}};
  for (const auto& [name, level] : kNames) {
    if (s.size() == std::char_traits<char>::length(name) && strncasecmp(s.data(), name, s.size()) == 0) {
      out = level;
      return true;
    }
  }
  return false;
}

void Log::write(LogLevel l, std::string_view component, std::string_view msg) {
  static constexpr const char* kTags[] = {"TRACE", "DEBUG", "INFO ", "WARN ", "ERROR", "OFF  "};
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char ts[64];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::fprintf(stderr, "%s %s [%.*s] %.*s\n", ts, kTags[static_cast<int>(l)], static_cast<int>(component.size()),
               component.data(), static_cast<int>(msg.size()), msg.data());
}

bool RateLimit::allow() {
  auto now = std::chrono::steady_clock::now().time_since_epoch();
  int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  int64_t next = next_ns_.load(std::memory_order_relaxed);
  if (now_ns >= next &&
      next_ns_.compare_exchange_strong(next, now_ns + std::chrono::nanoseconds(interval_).count())) {
    last_suppressed_ = skipped_.exchange(0);
    return true;
  }
  skipped_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

}  // namespace sluice
