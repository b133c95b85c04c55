#include "interceptors/parse/format_factory.hpp"

#include "interceptors/parse/bind_parser.hpp"
#include "interceptors/parse/combined_parser.hpp"
#include "interceptors/parse/csv_parser.hpp"
#include "interceptors/parse/json_parser.hpp"
#include "interceptors/parse/kv_parser.hpp"
#include "interceptors/parse/regex_parser.hpp"
#include "interceptors/parse/squid_parser.hpp"
#include "interceptors/parse/syslog_format.hpp"
#include "interceptors/regex_filter_interceptor.hpp"

namespace sluice::parse {
namespace {

// A one-character key; "" gives def. Reports anything longer.
char single_char(Context& ctx, const std::string& key, std::string_view def, std::string_view doc) {
  std::string v = ctx.get_string(key, def, doc);
  if (v.size() > 1) ctx.error(key, "'" + v + "' is not a single character");
  return v.empty() ? '\0' : v[0];
}

}  // namespace

ParserMaker make_parser_maker(Context& ctx, const FormatLimits& limits, std::string& format_name) {
  static const std::vector<std::string> formats = {"squid", "combined", "syslog", "bind", "json", "kv", "csv", "regex"};
  if (!ctx.has("format"))
    ctx.error("format", "is required (expected squid, combined, syslog, bind, json, kv, csv or regex)");
  format_name = ctx.get_choice("format", "", formats, "(required) log format of the body");

  // Every format's keys are declared (for `sluice help`), read only for the chosen format.
  Context csv = ctx.sub("csv."), kv = ctx.sub("kv."), json = ctx.sub("json.");
  if (format_name == "csv") {
    auto columns = csv.get_list("columns", "(csv) names of the columns, in order");
    if (columns.empty()) csv.error("columns", "is required for format csv (expected column names, e.g. ts client url)");
    char delim = single_char(csv, "delimiter", ",", "(csv) column separator");
    if (delim == '\0') delim = ',';
    return [columns, delim] { return std::make_unique<CsvParser>(columns, delim); };
  }
  if (format_name == "kv") {
    char pair = single_char(kv, "pairDelimiter", "", "(kv) separator between pairs (default: whitespace)");
    char value = single_char(kv, "valueDelimiter", "=", "(kv) separator between key and value");
    if (value == '\0') value = '=';
    return [pair, value] { return std::make_unique<KvParser>(pair, value); };
  }
  if (format_name == "json") {
    auto depth =
        static_cast<size_t>(json.get_int("maxDepth", 16, "(json) deepest nesting of objects and arrays", 1, 1024));
    size_t max_bytes = limits.max_body_bytes;
    return [max_bytes, depth] { return std::make_unique<JsonParser>(max_bytes, depth); };
  }
  if (format_name == "regex") {
    std::string pattern =
        ctx.require_string("regex", "(regex) RE2 pattern whose named groups (?P<name>...) become fields");
    if (pattern.empty()) return {};
    std::shared_ptr<const RE2> re = compile_regex(ctx, "regex", pattern);
    if (!re) return {};
    if (re->NamedCapturingGroups().empty()) {
      ctx.error("regex", "has no named group (expected e.g. (?P<client>\\S+))");
      return {};
    }
    return [re] { return std::make_unique<RegexParser>(re); };
  }
  csv.get_list("columns", "(csv) names of the columns, in order");
  csv.get_string("delimiter", ",", "(csv) column separator");
  kv.get_string("pairDelimiter", "", "(kv) separator between pairs (default: whitespace)");
  kv.get_string("valueDelimiter", "=", "(kv) separator between key and value");
  json.get_int("maxDepth", 16, "(json) deepest nesting of objects and arrays", 1, 1024);
  ctx.get_optional("regex", "(regex) RE2 pattern whose named groups (?P<name>...) become fields");
  if (format_name == "combined") return [] { return std::make_unique<CombinedParser>(); };
  if (format_name == "syslog") return [] { return std::make_unique<SyslogFormat>(); };
  if (format_name == "bind") return [] { return std::make_unique<BindParser>(); };
  if (format_name == "squid") return [] { return std::make_unique<SquidParser>(); };
  return {};  // no format: already reported
}

}  // namespace sluice::parse
