#include "interceptors/parse/syslog_format.hpp"

#include "agent/metrics.hpp"
#include "sources/syslog/syslog_parser.hpp"

namespace sluice::parse {
namespace {

void add_unless_dash(Fields& out, std::string_view name, std::string_view v) {
  if (v != "-" && !v.empty()) out.add(name, v);
}

// RFC 5424 STRUCTURED-DATA: "-" or one or more [id param="value"...] (values escape \" \\ \]).
size_t structured_data_length(std::string_view s) {
  if (s.starts_with("-")) return 1;
  size_t i = 0;
  while (i < s.size() && s[i] == '[') {
    bool quoted = false;
    for (++i; i < s.size(); ++i) {
      if (quoted && s[i] == '\\') {
        ++i;
        continue;
      }
      if (s[i] == '"')
        quoted = !quoted;
      else if (!quoted && s[i] == ']')
        break;
    }
    if (i >= s.size()) return 0;
    ++i;
  }
  return i;
}

bool is_tag_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.' || c == '/';
}

}  // namespace

bool SyslogFormat::parse(std::string_view line, Fields& out, std::string& error) {
  std::string_view msg = chomp(line);
  parsed_ = syslog::parse_message(msg, false, syslog::KeepFields{}, now_ms());
  const Headers& h = parsed_.headers;
  if (h.get(syslog::kStatusHeader) == "Invalid") {
    error = "syslog: no <PRI>";
    return false;
  }
  if (parsed_.body.size() == msg.size()) {  // the parser keeps the whole message when the header fails
    error = "syslog: header does not parse (expected RFC 3164 or 5424)";
    return false;
  }
  out.add("facility", *h.find("Facility"));
  out.add("severity", *h.find("Severity"));
  out.add("priority", *h.find("priority"));
  const std::string* version = h.find("version");
  if (version) out.add("version", *version);
  if (auto* ts = h.find("timestamp")) out.add("timestamp", *ts);
  if (auto* host = h.find("host")) out.add("host", *host);
  std::string_view rest = parsed_.body;
  if (version) {
    std::string_view app = next_token(rest), procid = next_token(rest), msgid = next_token(rest);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    size_t sd = structured_data_length(rest);
    if (msgid.empty() || sd == 0) {
      error = "syslog: RFC 5424 header does not parse (expected APP PROCID MSGID SD)";
      return false;
    }
    add_unless_dash(out, "app_name", app);
    add_unless_dash(out, "procid", procid);
    add_unless_dash(out, "msgid", msgid);
    add_unless_dash(out, "structured_data", rest.substr(0, sd));
    rest.remove_prefix(sd);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  } else {
    size_t i = 0;
    while (i < rest.size() && i < 48 && is_tag_char(rest[i])) ++i;
    size_t tag_end = i, pid_b = 0, pid_e = 0;
    if (i < rest.size() && rest[i] == '[') {
      pid_b = i + 1;
      pid_e = rest.find(']', pid_b);
      if (pid_e != std::string_view::npos) i = pid_e + 1;
    }
    if (tag_end > 0 && i < rest.size() && rest[i] == ':') {
      out.add("app_name", rest.substr(0, tag_end));
      if (pid_e != 0 && pid_e != std::string_view::npos) out.add("procid", rest.substr(pid_b, pid_e - pid_b));
      rest.remove_prefix(i + 1);
      if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    }
  }
  out.add("message", rest);
  return true;
}

}  // namespace sluice::parse
