// The YAML form of a Flume configuration: the same tree as the properties file, nested.
//   a1:
//     sources:
//       r1: {type: netcat, bind: 127.0.0.1, port: 44444, channels: [c1]}
//     channels:
//       c1: {type: memory, capacity: 10000}
//     sinks:
//       k1: {type: logger, channel: c1}
// Nested maps join with '.', sequences become space-separated lists, and the lists
// `a1.sources`, `a1.channels`, `a1.sinks`, `a1.sinkgroups` are derived from the map keys when not
// given. Flattened entries carry the YAML line, so errors point at the same places.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "agent/properties.hpp"

namespace sluice {

std::vector<ConfigEntry> parse_yaml_config(std::string_view text, const std::string& file, Diagnostics& diag);

// Reads a config file (properties, or YAML when the name ends in .yaml/.yml).
// Returns false (with a diagnostic) if it cannot be read.
bool load_config_file(const std::string& path, std::vector<ConfigEntry>& out, Diagnostics& diag);

}  // namespace sluice
