// Parses one syslog message (RFC 3164 or RFC 5424) into a Flume event the way Flume's SyslogUtils
// does: headers Facility, Severity (always), priority, version, timestamp (epoch ms), host, and
// flume.syslog.status = Invalid (no or bad <PRI>) or Incomplete (cut at eventSize).
// Body: with keepFields none, the message after the host (the whole raw message if the header
// does not parse); with all, the raw message; with a list (priority version timestamp hostname),
// those fields put back in front of the message, as Flume does.
// Deliberate differences from Flume: a PRI above 191 is Invalid (Flume accepts any 3 digits);
// RFC 3164's year rollover moves a date 11+ months in the past forward a year (Flume moves it back,
// a bug); bytes are passed through untouched (Flume re-encodes with the platform charset).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/event.hpp"

namespace sluice::syslog {

struct KeepFields {
  bool all = false;
  bool priority = false, version = false, timestamp = false, hostname = false;
  // none / false, all / true, or a list of field names; false if a word is not a field name.
  static bool parse(std::string_view text, KeepFields& out, std::string& bad_word);
};

// now_ms: the receive time (for RFC 3164's missing year).
Event parse_message(std::string_view msg, bool incomplete, const KeepFields& keep, int64_t now_ms);

// Parses an RFC 5424 timestamp (2026-11-24T22:41:40.123456+01:00, Z, or no zone = local time)
// into epoch ms; false if malformed.
bool parse_rfc5424_time(std::string_view s, int64_t& ms);
// Parses "Mmm dd HH:MM:SS" (RFC 3164; one-digit days padded with a space) in local time, choosing
// the year that puts it within 11 months before to 1 month after now_ms.
bool parse_rfc3164_time(std::string_view s, int64_t now_ms, int64_t& ms);

constexpr const char* kStatusHeader = "flume.syslog.status";

}  // namespace sluice::syslog
