// Fuzzes the Java properties parser and the agent-config resolution behind it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/agent_config.hpp"
#include "agent/properties.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::Diagnostics diag;
  auto entries = sluice::parse_properties(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz", diag);
  auto names = sluice::agent_names(entries);
  if (!names.empty()) sluice::resolve_agent(entries, names[0], "fuzz", diag);
  return 0;
}
