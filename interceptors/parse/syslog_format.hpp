// The syslog message part (RFC 3164 or RFC 5424), parsed by the syslog sources' own parser
// (sources/syslog/syslog_parser.hpp) so both read a header the same way.
// Fields: facility, severity, priority, version (5424), timestamp (epoch ms, when present), host,
// then for RFC 5424 app_name, procid, msgid, structured_data ("-" values left out) and for RFC
// 3164 a leading "tag[pid]: " as app_name and procid; message is the rest.
// Fails with "syslog: no <PRI>" or "syslog: header does not parse (expected RFC 3164 or 5424)".
#pragma once
#include "agent/event.hpp"
#include "interceptors/parse/fields.hpp"

namespace sluice::parse {

class SyslogFormat : public FormatParser {
 public:
  bool parse(std::string_view line, Fields& out, std::string& error) override;

 private:
  Event parsed_;  // the syslog parser's result; field values are views into it
};

}  // namespace sluice::parse
