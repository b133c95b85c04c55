// A JSON object per line (simdjson DOM). Nested objects are flattened into dotted names
// ({"http":{"status":200}} gives http.status = 200); arrays become their compact JSON text; null
// values are left out; numbers and booleans their JSON text. Fails with "json: <simdjson reason>"
// on malformed or non-UTF-8 input, "json: nested deeper than json.maxDepth N" past the depth cap,
// and "json: top-level value is not an object". The parser never allocates for more than
// maxBodyBytes (the interceptor rejects longer bodies before they get here).
#pragma once
#include <simdjson.h>

#include <memory>

#include "interceptors/parse/fields.hpp"

namespace sluice::parse {

class JsonParser : public FormatParser {
 public:
  JsonParser(size_t max_bytes, size_t max_depth);
  bool parse(std::string_view line, Fields& out, std::string& error) override;

 private:
  void flatten(simdjson::dom::object obj, std::string_view prefix, Fields& out);
  void add_value(std::string_view name, simdjson::dom::element v, Fields& out);

  std::unique_ptr<simdjson::dom::parser> parser_;
  std::string padded_;  // the body copied with SIMDJSON_PADDING spare bytes
  size_t max_bytes_, max_depth_;
  bool alloc_failed_ = false;
};

}  // namespace sluice::parse
