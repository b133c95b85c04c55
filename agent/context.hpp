// Context: the keys of one component, read through typed getters. Each getter records the key
// (with its type, default and meaning) so the agent can (1) warn about keys nobody read, with a
// did-you-mean, and (2) print `sluice help <kind> <type>` from the same declarations.
// Getters never throw: a bad value is reported to Diagnostics with file, line and the expected form,
// and the default is returned so validation can go on and report every problem at once.
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/diagnostics.hpp"

namespace sluice {

struct ConfigValue {
  std::string value;
  Location where;
};

struct KeyDoc {
  std::string key;
  std::string type;  // string, int, bool, double, one of a|b|c, list
  std::string default_value;
  std::string doc;
  bool required = false;
};

class Context {
 public:
  using Values = std::map<std::string, ConfigValue>;

  Context();  // empty; used by `sluice help` to collect key docs
  // label: e.g. "sink k1"; full_prefix: e.g. "a1.sinks.k1." (for messages); anchor: where the component
  // is defined (its `type` line), used for errors about missing keys.
  Context(std::string label, std::string full_prefix, Values values, Diagnostics* diag, Location anchor);

  // --- typed getters (key is relative to this context) ---
  std::string get_string(std::string_view key, std::string_view def, std::string_view doc = {});
  std::optional<std::string> get_optional(std::string_view key, std::string_view doc = {});
  // Reports "is required" when missing or empty.
  std::string require_string(std::string_view key, std::string_view doc = {});
  int64_t get_int(std::string_view key, int64_t def, std::string_view doc = {},
                  int64_t min = std::numeric_limits<int64_t>::min(),
                  int64_t max = std::numeric_limits<int64_t>::max());
  double get_double(std::string_view key, double def, std::string_view doc = {},
                    double min = -std::numeric_limits<double>::infinity(),
                    double max = std::numeric_limits<double>::infinity());
  // Accepts true/false (case-insensitive, as Java's Boolean.parseBoolean plus yes/no/on/off/1/0).
  bool get_bool(std::string_view key, bool def, std::string_view doc = {});
  // One of choices, matched case-insensitively; returns the canonical spelling from choices.
  std::string get_choice(std::string_view key, std::string_view def, const std::vector<std::string>& choices,
                         std::string_view doc = {});
  // Whitespace-separated list (Flume's "r1 r2 r3").
  std::vector<std::string> get_list(std::string_view key, std::string_view doc = {});

  // --- structure ---
  bool has(std::string_view key) const;
  // Keys (relative) under prefix, e.g. sub("selector.") -> context with keys "type", "header", ...
  // Reads through the sub-context mark keys read here too.
  Context sub(std::string_view prefix) const;
  // All key/value pairs under prefix with the prefix stripped; marks them read (pass-through maps such as
  // kafka.producer.*). doc describes the family for help output.
  std::map<std::string, std::string> get_prefixed(std::string_view prefix, std::string_view doc = {});
  // Marks a key as handled without reading it (keys the runtime consumes).
  void mark_read(std::string_view key);

  // --- reporting ---
  void error(std::string_view key, std::string message);  // at the key's line (or the anchor)
  void warning(std::string_view key, std::string message);
  // Warns about every key never read, with a did-you-mean among the keys the component asked for.
  void report_unread_keys();

  const std::string& label() const;
  std::string full_key(std::string_view key) const;
  Location location(std::string_view key) const;
  const std::vector<KeyDoc>& documented_keys() const;
  Diagnostics& diagnostics() const;

 private:
  struct State;
  Context(std::shared_ptr<State> state, std::string prefix);
  const ConfigValue* lookup(std::string_view key) const;
  void record(std::string_view key, std::string type, std::string def, std::string_view doc, bool required = false);
  std::string abs(std::string_view key) const { return prefix_ + std::string(key); }

  std::shared_ptr<State> state_;
  std::string prefix_;  // relative prefix inside the component (for sub-contexts)
};

// Case-insensitive edit distance, for did-you-mean suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace sluice
