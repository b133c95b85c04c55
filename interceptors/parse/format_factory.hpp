// Reads `format` and that format's own keys and returns a maker of parsers for it. Format keys:
//   csv.columns (required for csv; names in order), csv.delimiter (",")
//   kv.pairDelimiter (whitespace), kv.valueDelimiter ("=")
//   json.maxDepth (16; deeper nesting of objects/arrays is an error)
//   regex (required for regex; RE2 with named groups (?P<name>...))
// The formats and their fields: squid_parser.hpp, combined_parser.hpp, syslog_format.hpp,
// bind_parser.hpp, json_parser.hpp, kv_parser.hpp, csv_parser.hpp, regex_parser.hpp. Each call of the maker returns a
// fresh parser (the interceptor keeps one per thread that calls it). Bad keys are reported through ctx; the maker is
// then empty.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "agent/context.hpp"
#include "interceptors/parse/fields.hpp"

namespace sluice::parse {

using ParserMaker = std::function<std::unique_ptr<FormatParser>()>;

struct FormatLimits {
  size_t max_body_bytes = 65536;  // the JSON parser never allocates for more than this
};

// Sets format_name to the canonical format name read from ctx.
ParserMaker make_parser_maker(Context& ctx, const FormatLimits& limits, std::string& format_name);

}  // namespace sluice::parse
