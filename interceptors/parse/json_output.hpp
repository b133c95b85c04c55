// Writes parsed fields as one JSON object: {"client":"10.1.2.3","status":200,...}.
// The output is always valid JSON: control characters, quotes and backslashes are escaped and
// every invalid UTF-8 sequence becomes U+FFFD. Fields the schema types as int, float, epoch or
// epoch_ms are written as numbers when their text is a JSON number (else as strings). Repeated names: the last one wins,
// as it does for headers.
#pragma once
#include <string>
#include <string_view>

#include "interceptors/parse/fields.hpp"
#include "interceptors/parse/schema.hpp"

namespace sluice::parse {

// Appends s as a quoted JSON string.
void append_json_string(std::string& out, std::string_view s);
// Appends the fields as a JSON object; schema may be null.
void append_json_object(std::string& out, const Fields& fields, const Schema* schema);
// Offset of the first byte that is not part of a valid UTF-8 sequence, or npos.
size_t invalid_utf8_offset(std::string_view s);
// RFC 8259 number grammar (no leading '+', no leading zeros, no NaN).
bool is_json_number(std::string_view s);

}  // namespace sluice::parse
