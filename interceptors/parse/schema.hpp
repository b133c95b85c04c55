// The schema an event type must meet after parsing: required fields and per-field value types.
// Types (as written in schema.types.<field>):
//   string                 anything (the default for fields without a type)
//   int                    optional sign and digits, fits in 64 bits
//   float                  a decimal number
//   ip                     an IPv4 or IPv6 address
//   epoch | epoch_ms       seconds[.fraction] | whole milliseconds since 1970
//   timestamp:<strptime>   e.g. timestamp:%d/%b/%Y:%H:%M:%S %z (UTC when the format has no %z)
//   enum:A,B,C             one of the listed values (case-sensitive)
// A required field that is absent or empty fails with "missing field <name>"; a value of the wrong
// type with "field <name>: '<value>' is not an int" (values quoted in reasons are cut to 64 bytes
// and reduced to printable ASCII, so a reason is always a safe one-line header).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interceptors/parse/fields.hpp"

namespace sluice::parse {

struct FieldType {
  enum class Kind { String, Int, Float, Ip, Epoch, EpochMs, Timestamp, Enum };
  Kind kind = Kind::String;
  std::string format;               // Timestamp: the strptime format
  std::vector<std::string> values;  // Enum
  std::string spec;                 // as configured, for messages

  // nullopt and error set ("expected int, float, ip, ...") when spec is not a type.
  static std::optional<FieldType> parse(std::string_view spec, std::string& error);
  bool check(std::string_view value) const;
  bool is_time() const { return kind == Kind::Epoch || kind == Kind::EpochMs || kind == Kind::Timestamp; }
  // Epoch ms of a value of a time kind; false if it does not parse.
  bool to_epoch_ms(std::string_view value, int64_t& ms) const;
  // "an int", "an ip", "one of GET,POST", "a timestamp like %d/%b/%Y" ... for reasons.
  std::string describe() const;
};

enum class SchemaResult { Ok, MissingField, BadValue };

struct Schema {
  std::vector<std::string> required;
  std::vector<std::pair<std::string, FieldType>> types;

  const FieldType* type_of(std::string_view field) const;
  // Ok, or the first failure with its reason.
  SchemaResult check(const Fields& fields, std::string& reason) const;
};

// Printable-ASCII copy of v, at most max bytes (then "..."), for reasons put in headers.
std::string sanitize_for_reason(std::string_view v, size_t max = 64);

}  // namespace sluice::parse
