// Fuzzes the YAML configuration loader (yaml-cpp plus our flattening).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/yaml_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::Diagnostics diag;
  try {
    sluice::parse_yaml_config(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz", diag);
  } catch (const std::exception&) {
    // yaml-cpp may throw on conversions we do not expect; a thrown std::exception is handled by the
    // caller (config load fails with a message), so only crashes and leaks matter here.
  }
  return 0;
}
