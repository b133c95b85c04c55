#include "sources/syslog/syslog_parser.hpp"

#include <ctime>
#include <sstream>

namespace sluice::syslog {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}
// Flume's host pattern: [\w][\w\d\.@-]*
size_t host_length(std::string_view s) {
  if (s.empty() || !is_word(s[0])) return 0;
  size_t i = 1;
  while (i < s.size() && (is_word(s[i]) || s[i] == '.' || s[i] == '@' || s[i] == '-')) ++i;
  return i;
}

int num(std::string_view s, size_t at, size_t n, bool& ok) {
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (i >= s.size() || !is_digit(s[i])) {
      ok = false;
      return 0;
    }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (the usual era arithmetic; no time zone).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Local wall-clock time to epoch seconds. mktime() is the only correct answer (the zone's rules) and
// costs a microsecond, so each thread remembers the last minute it converted: messages arrive in
// time order and zone offsets only change on minute boundaries.
int64_t local_seconds(const std::tm& tm) {
  struct Cache {
    int year = -1, mon = -1, mday = -1, hour = -1, min = -1;
    int64_t minute_start = 0;
  };
  thread_local Cache c;
  if (tm.tm_year != c.year || tm.tm_mon != c.mon || tm.tm_mday != c.mday || tm.tm_hour != c.hour ||
      tm.tm_min != c.min) {
    std::tm m = tm;
    m.tm_sec = 0;
    m.tm_isdst = -1;
    c = {tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, static_cast<int64_t>(mktime(&m))};
  }
  return c.minute_start + tm.tm_sec;
}

int64_t to_ms(std::tm tm, int millis, bool utc, int offset_s) {
  int64_t secs;
  if (utc) {
    secs = days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 + tm.tm_hour * 3600 +
           tm.tm_min * 60 + tm.tm_sec - offset_s;
  } else {
    secs = local_seconds(tm);
  }
  return secs * 1000 + millis;
}

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

bool KeepFields::parse(std::string_view text, KeepFields& out, std::string& bad_word) {
  out = {};
  std::string lower(text);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::istringstream in(lower);
  std::string w;
  while (in >> w) {
    if (w == "none" || w == "false") continue;
    if (w == "all" || w == "true") out.all = true;
    else if (w == "priority") out.priority = true;
    else if (w == "version") out.version = true;
    else if (w == "timestamp") out.timestamp = true;
    else if (w == "hostname") out.hostname = true;
    else {
      bad_word = w;
      return false;
    }
  }
  return true;
}

bool parse_rfc5424_time(std::string_view s, int64_t& ms) {
  // YYYY-MM-DDTHH:MM:SS[.f{1,6}][Z|+hh:mm|-hh:mm]
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return false;
  bool ok = true;
  std::tm tm{};
  tm.tm_year = num(s, 0, 4, ok) - 1900;
  tm.tm_mon = num(s, 5, 2, ok) - 1;
  tm.tm_mday = num(s, 8, 2, ok);
  tm.tm_hour = num(s, 11, 2, ok);
  tm.tm_min = num(s, 14, 2, ok);
  tm.tm_sec = num(s, 17, 2, ok);
  if (!ok || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60)
    return false;
  size_t i = 19;
  int millis = 0;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    size_t digits = i - start;
    if (digits < 1 || digits > 6) return false;
    // Microseconds are truncated to milliseconds, as Flume does.
    for (size_t k = 0; k < 3; ++k) millis = millis * 10 + (k < digits ? s[start + k] - '0' : 0);
  }
  if (i == s.size()) {
    ms = to_ms(tm, millis, false, 0);
    return true;
  }
  if (s[i] == 'Z' && i + 1 == s.size()) {
    ms = to_ms(tm, millis, true, 0);
    return true;
  }
  if ((s[i] == '+' || s[i] == '-') && i + 6 == s.size() && s[i + 3] == ':') {
    int sign = s[i] == '-' ? -1 : 1;
    int hh = num(s, i + 1, 2, ok), mm = num(s, i + 4, 2, ok);
    if (!ok || hh > 23 || mm > 59) return false;
    ms = to_ms(tm, millis, true, sign * (hh * 3600 + mm * 60));
    return true;
  }
  return false;
}

bool parse_rfc3164_time(std::string_view s, int64_t now_ms, int64_t& ms) {
  // "Mmm dd HH:MM:SS" or "Mmm  d HH:MM:SS"
  if (s.size() != 15 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':') return false;
  int mon = -1;
  for (int m = 0; m < 12; ++m)
    if (s.substr(0, 3) == kMonths[m]) mon = m;
  if (mon < 0) return false;
  bool ok = true;
  int day = s[4] == ' ' ? num(s, 5, 1, ok) : num(s, 4, 2, ok);
  std::tm tm{};
  tm.tm_mon = mon;
  tm.tm_mday = day;
  tm.tm_hour = num(s, 7, 2, ok);
  tm.tm_min = num(s, 10, 2, ok);
  tm.tm_sec = num(s, 13, 2, ok);
  if (!ok || day < 1 || day > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) return false;
  // The current year, converted once per second per thread.
  thread_local time_t year_of_s = -1;
  thread_local int year = 0;
  time_t now_s = static_cast<time_t>(now_ms / 1000);
  if (now_s != year_of_s) {
    std::tm now_tm{};
    localtime_r(&now_s, &now_tm);
    year = now_tm.tm_year;
    year_of_s = now_s;
  }
  tm.tm_year = year;
  int64_t t = to_ms(tm, 0, false, 0);
  constexpr int64_t kMonth = 31LL * 24 * 3600 * 1000;
  if (t - kMonth > now_ms) {
    --tm.tm_year;  // more than a month in the future: last year's message
    t = to_ms(tm, 0, false, 0);
  } else if (t + 11 * kMonth < now_ms) {
    ++tm.tm_year;  // more than 11 months in the past: next year's (sender clock ahead across New Year)
    t = to_ms(tm, 0, false, 0);
  }
  ms = t;
  return true;
}

Event parse_message(std::string_view msg, bool incomplete, const KeepFields& keep, int64_t now_ms) {
  Event e;
  // <PRI>: one to three digits, at most 191.
  int pri = -1;
  size_t p = 0;
  if (!msg.empty() && msg[0] == '<') {
    size_t close = msg.find('>', 1);
    if (close != std::string_view::npos && close >= 2 && close <= 4) {
      bool ok = true;
      int v = num(msg, 1, close - 1, ok);
      if (ok && v <= 191) {
        pri = v;
        p = close + 1;
      }
    }
  }
  e.headers.reserve(7);
  if (pri < 0) {
    e.headers.add_new("Facility", "0");
    e.headers.add_new("Severity", "0");
    e.headers.add_new(kStatusHeader, "Invalid");
    e.body = std::string(msg);
    return e;
  }
  e.headers.add_new("Facility", std::to_string(pri / 8));
  e.headers.add_new("Severity", std::to_string(pri % 8));
  std::string_view pri_text = msg.substr(1, p - 2);
  std::string_view rest = msg.substr(p);

  // Optional version digit and one space (Flume's "(\d?)\s?").
  std::string_view version;
  if (!rest.empty() && is_digit(rest[0]) && (rest.size() == 1 || rest[1] == ' ' || !is_digit(rest[1]))) {
    // A version is one digit followed by a space (RFC 5424 "1 "); RFC 3164 never starts with a digit.
    if (rest.size() >= 2 && rest[1] == ' ') {
      version = rest.substr(0, 1);
      rest.remove_prefix(2);
    }
  } else if (!rest.empty() && rest[0] == ' ') {
    rest.remove_prefix(1);
  }

  std::string_view stamp, host, body;
  bool parsed = false;
  int64_t ts = 0;
  bool have_ts = false;
  // RFC 5424: TIMESTAMP|- SP HOST|- SP MSG
  size_t sp = rest.find(' ');
  if (sp != std::string_view::npos) {
    std::string_view t = rest.substr(0, sp);
    bool t_ok = t == "-" || (t.size() >= 19 && t[4] == '-' && t[10] == 'T' && parse_rfc5424_time(t, ts));
    if (t_ok) {
      have_ts = t != "-";
      std::string_view after = rest.substr(sp + 1);
      size_t hl = after.size() >= 1 && after[0] == '-' && (after.size() == 1 || after[1] == ' ') ? 1 : host_length(after);
      if (hl > 0 && hl < after.size() && after[hl] == ' ') {
        stamp = t;
        host = after.substr(0, hl) == "-" ? std::string_view() : after.substr(0, hl);
        body = after.substr(hl + 1);
        parsed = true;
      }
    }
  }
  // RFC 3164: Mmm dd HH:MM:SS SP HOST SP MSG
  if (!parsed && rest.size() >= 17 && parse_rfc3164_time(rest.substr(0, 15), now_ms, ts) && rest[15] == ' ') {
    std::string_view after = rest.substr(16);
    size_t hl = host_length(after);
    if (hl > 0 && hl < after.size() && after[hl] == ' ') {
      stamp = rest.substr(0, 15);
      host = after.substr(0, hl);
      body = after.substr(hl + 1);
      parsed = true;
      have_ts = true;
    }
  }

  e.headers.add_new("priority", std::string(pri_text));
  if (!version.empty()) e.headers.add_new("version", std::string(version));
  if (parsed && have_ts) e.headers.add_new("timestamp", std::to_string(ts));
  if (parsed && !host.empty()) e.headers.add_new("host", std::string(host));
  if (incomplete) e.headers.add_new(kStatusHeader, "Incomplete");

  if (keep.all || !parsed) {
    e.body = std::string(msg);
    return e;
  }
  std::string out;
  if (keep.priority) out += "<" + std::string(pri_text) + ">";
  if (keep.version && !version.empty()) out += std::string(version) + " ";
  if (keep.timestamp) out += std::string(stamp.empty() ? "-" : stamp) + " ";
  if (keep.hostname) out += std::string(host.empty() ? "-" : host) + " ";
  out += body;
  e.body = std::move(out);
  return e;
}

}  // namespace sluice::syslog
