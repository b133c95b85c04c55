#include "agent/agent_config.hpp"

#include "agent/config_filters.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace sluice {
namespace {

constexpr const char* kKinds[] = {"sources", "channels", "sinks", "sinkgroups"};

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\f\r\n");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t\f\r\n");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_ws(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

bool ComponentSpec::same_as(const ComponentSpec& o) const {
  if (type != o.type || values.size() != o.values.size()) return false;
  for (auto a = values.begin(), b = o.values.begin(); a != values.end(); ++a, ++b)
    if (a->first != b->first || a->second.value != b->second.value) return false;
  return true;
}

const ComponentSpec* AgentConfig::find_channel(const std::string& name) const {
  for (const auto& c : channels)
    if (c.name == name) return &c;
  return nullptr;
}

const ComponentSpec* AgentConfig::find_sink(const std::string& name) const {
  for (const auto& s : sinks)
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<std::string> agent_names(const std::vector<ConfigEntry>& entries) {
  std::vector<std::string> names;
  for (const auto& e : entries) {
    size_t dot = e.key.find('.');
    if (dot == std::string::npos) continue;
    std::string rest = e.key.substr(dot + 1);
    bool structural = false;
    for (const char* k : kKinds) structural |= rest == k || rest.starts_with(std::string(k) + ".");
    std::string name = e.key.substr(0, dot);
    if (structural && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

AgentConfig resolve_agent(const std::vector<ConfigEntry>& raw_entries, const std::string& agent,
                          const std::string& file, Diagnostics& diag) {
  const std::vector<ConfigEntry> entries = apply_config_filters(raw_entries, agent, diag);
  AgentConfig cfg;
  cfg.agent = agent;
  cfg.file = file;
  const std::string prefix = agent + ".";

  // kind -> listed names (with location of the list), and kind -> name -> values.
  std::map<std::string, std::pair<std::vector<std::string>, Location>> listed;
  std::map<std::string, std::map<std::string, Context::Values>> defined;
  bool any = false;
  for (const auto& e : entries) {
    if (!e.key.starts_with(prefix)) continue;
    any = true;
    std::string rest = e.key.substr(prefix.size());
    bool placed = false;
    for (const char* kind : kKinds) {
      std::string k = kind;
      if (rest == k) {
        listed[k] = {split_ws(e.value), e.where};
        placed = true;
      } else if (rest.starts_with(k + ".")) {
        std::string sub = rest.substr(k.size() + 1);
        size_t dot = sub.find('.');
        if (dot == std::string::npos || dot == 0 || dot + 1 == sub.size()) {
          diag.error(e.where, e.key, "expected " + prefix + k + ".<name>.<key>");
        } else {
          defined[k][sub.substr(0, dot)][sub.substr(dot + 1)] = {e.value, e.where};
        }
        placed = true;
      }
      if (placed) break;
    }
    if (!placed) {
      std::string first = rest.substr(0, rest.find('.'));
      std::string hint;
      for (const char* kind : kKinds)
        if (edit_distance(first, kind) <= 2) hint = std::string("; did you mean '") + prefix + kind + "'?";
      diag.warning(e.where, e.key, "is not part of agent " + agent + "'s sources, channels, sinks or sinkgroups" + hint);
    }
  }
  if (!any) {
    std::string found;
    for (const auto& n : agent_names(entries)) found += (found.empty() ? "" : ", ") + n;
    diag.error({file, 0}, "",
               "no configuration for agent '" + agent + "'" +
                   (found.empty() ? std::string(" (the file defines no agent)") : " (agents in this file: " + found + ")"));
    return cfg;
  }

  for (const char* kind_c : kKinds) {
    std::string kind = kind_c;
    auto& names = listed[kind].first;
    const Location& list_where = listed[kind].second;
    std::set<std::string> seen;
    for (const auto& name : names) {
      if (!seen.insert(name).second) {
        diag.warning(list_where, prefix + kind, "lists '" + name + "' twice; it is used once");
        continue;
      }
      auto it = defined[kind].find(name);
      if (it == defined[kind].end()) {
        diag.error(list_where, prefix + kind,
                   "lists '" + name + "' but no key " + prefix + kind + "." + name + ".* defines it" +
                       (kind == "sinkgroups" ? " (expected ." + name + ".sinks)" : " (expected ." + name + ".type)"));
        continue;
      }
      ComponentSpec spec;
      spec.name = name;
      spec.values = it->second;
      auto t = spec.values.find("type");
      if (t != spec.values.end()) {
        spec.type = trim(t->second.value);
        spec.where = t->second.where;
      } else {
        Location first = spec.values.begin()->second.where;
        for (const auto& [k, v] : spec.values)
          if (v.where.line < first.line) first = v.where;
        spec.where = first;
      }
      auto& dest = kind == "sources" ? cfg.sources
                   : kind == "channels" ? cfg.channels
                   : kind == "sinks" ? cfg.sinks
                                     : cfg.sinkgroups;
      dest.push_back(std::move(spec));
    }
    for (const auto& [name, values] : defined[kind]) {
      if (seen.count(name)) continue;
      Location first = values.begin()->second.where;
      for (const auto& [k, v] : values)
        if (v.where.line < first.line) first = v.where;
      diag.warning(first, prefix + kind + "." + name,
                   "is defined but not listed in " + prefix + kind + "; it is ignored (as Flume does)");
    }
  }
  if (cfg.sources.empty() && cfg.sinks.empty())
    diag.error({file, 0}, prefix + "sources",
               "agent '" + agent + "' has no sources and no sinks (expected " + prefix + "sources = ... and " + prefix +
                   "sinks = ...)");
  return cfg;
}

}  // namespace sluice
