// Threat-intelligence feed files: plain text (one indicator per line, '#' comments), CSV (columns
// for value, type, feed name and expiry), and STIX 2.1 JSON bundles (indicator objects whose
// pattern is one equality, e.g. [ipv4-addr:value = '1.2.3.4'] or [file:hashes.'SHA-256' = '...']).
// A bad line is counted and reported with file:line; an unsupported STIX pattern is counted.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "interceptors/ioc/indicator_set.hpp"

namespace sluice::ioc {

struct FeedSpec {
  std::string name, path;
  enum class Format { Text, Csv, Stix } format = Format::Text;
  char delimiter = ',';
  int value_column = 0, type_column = -1, feed_column = -1, expires_column = -1;
  bool header = false;
};

struct FeedLoadResult {
  size_t loaded = 0;
  size_t bad_lines = 0;
  size_t expired = 0;
  size_t unsupported = 0;
  std::vector<std::string> errors;  // "file:line: reason", first few
};

// Adds the feed's indicators to `set`. Throws std::runtime_error if the file cannot be read.
FeedLoadResult load_feed(const FeedSpec& spec, IndicatorSet& set, int64_t now_s);
// The same on the feed's text (spec.path only names it in errors). Throws std::runtime_error when a
// STIX feed is not a bundle.
FeedLoadResult parse_feed(const FeedSpec& spec, std::string_view text, IndicatorSet& set, int64_t now_s);

}  // namespace sluice::ioc
