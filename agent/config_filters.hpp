// Values computed at load time, as Flume does, so secrets need not sit in the config file:
//  - configuration filters (Flume 1.10): `a1.configfilters = f1`, `a1.configfilters.f1.type = ...`,
//    and in any value `${f1['key']}` (also `${f1["key"]}`, `${f1[key]}`), replaced by the filter's answer:
//      env       the environment variable named key
//      external  runs `<command> <key>` (key `command`, required); its first line of output, exit code 0
//      file      (sluice) the contents of `<directory>/<key>` (key `directory`), trailing newline removed:
//                the shape of Docker / Kubernetes / systemd credential directories
//    Flume's `hadoop` credential-store filter needs a JVM: it is reported as not available.
//  - `${NAME}` is replaced by environment variable NAME (Flume's EnvVarResolverProperties).
// A value that cannot be resolved is an error naming the line, key and filter; the secret itself never
// appears in a message.
#pragma once
#include <string>
#include <vector>

#include "agent/properties.hpp"

namespace sluice {

// Returns agent's entries with values resolved and the `<agent>.configfilters` keys removed
// (entries of other agents are passed through untouched).
std::vector<ConfigEntry> apply_config_filters(const std::vector<ConfigEntry>& entries, const std::string& agent,
                                              Diagnostics& diag);

}  // namespace sluice
