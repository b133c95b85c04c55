// Java .properties parsing as java.util.Properties.load does it (the format of flume.conf):
// '#'/'!' comments, '=' ':' or whitespace separators, backslash line continuation (leading
// whitespace of the next line dropped), escapes \t \n \r \f \uXXXX and \<any>. Each entry keeps
// the line where its logical line starts, for error messages.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "agent/diagnostics.hpp"

namespace sluice {

struct ConfigEntry {
  std::string key;
  std::string value;
  Location where;
};

// file: name used in locations. Duplicate keys: the last wins (as Java), with a warning.
std::vector<ConfigEntry> parse_properties(std::string_view text, const std::string& file, Diagnostics& diag);

}  // namespace sluice
