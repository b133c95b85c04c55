// `sluice help`: the component types by kind, and for one type its keys with type, default and
// meaning — collected from the same Context declarations the validator uses (one source of truth).
#pragma once
#include <string>
#include <vector>

#include "agent/context.hpp"
#include "agent/registry.hpp"

namespace sluice {

// args[from..]: [kind [type]]. Returns the exit code.
int print_component_help(const std::vector<std::string>& args, size_t from, const char* usage);

// The keys a component type declares (built with an empty configuration). Empty if unknown type.
std::vector<KeyDoc> component_keys(Kind kind, const std::string& type);

}  // namespace sluice
