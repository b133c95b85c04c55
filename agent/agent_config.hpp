// The configuration of one agent, cut out of a flat key list (properties or YAML): its listed
// sources, channels, sinks and sink groups, each with its own keys (relative to the component).
// Structure problems (unlisted or undefined components, keys that fit no component) are reported here;
// each component's own keys are validated when it is built (see pipeline.hpp).
#pragma once
#include <string>
#include <vector>

#include "agent/context.hpp"
#include "agent/properties.hpp"

namespace sluice {

struct ComponentSpec {
  std::string name;
  std::string type;  // trimmed; empty if missing
  Location where;    // the `type` line, or the component's first key
  Context::Values values;
  // Same type and same key/values (locations ignored): an unchanged component on reload.
  bool same_as(const ComponentSpec& o) const;
};

struct AgentConfig {
  std::string agent;
  std::string file;
  std::vector<ComponentSpec> sources, channels, sinks, sinkgroups;
  const ComponentSpec* find_channel(const std::string& name) const;
  const ComponentSpec* find_sink(const std::string& name) const;
};

AgentConfig resolve_agent(const std::vector<ConfigEntry>& entries, const std::string& agent, const std::string& file,
                          Diagnostics& diag);

// Agent names present in the entries (first key segment of keys like a1.sources), in order.
std::vector<std::string> agent_names(const std::vector<ConfigEntry>& entries);

}  // namespace sluice
