// Reads `format` and that format's own keys (csv.columns, kv.*, regex, json.maxDepth) and returns a
// maker of parsers for it. Each call of the maker returns a fresh parser (the interceptor keeps one
// per thread that calls it). Bad keys are reported through ctx; the maker is then empty.
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
