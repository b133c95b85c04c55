#include "agent/yaml_config.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace sluice {
namespace {

void flatten(const YAML::Node& node, const std::string& prefix, const std::string& file,
             std::vector<ConfigEntry>& out, Diagnostics& diag) {
  Location where{file, node.Mark().line >= 0 ? node.Mark().line + 1 : 0};
  switch (node.Type()) {
    case YAML::NodeType::Map:
      for (const auto& kv : node) {
        std::string k = kv.first.as<std::string>();
        flatten(kv.second, prefix.empty() ? k : prefix + "." + k, file, out, diag);
      }
      break;
    case YAML::NodeType::Sequence: {
      std::string joined;
      for (const auto& item : node) {
        if (!item.IsScalar()) {
          diag.error(where, prefix, "list items must be plain values (expected e.g. [c1, c2])");
          return;
        }
        joined += (joined.empty() ? "" : " ") + item.as<std::string>();
      }
      out.push_back({prefix, joined, where});
      break;
    }
    case YAML::NodeType::Scalar:
      out.push_back({prefix, node.as<std::string>(), where});
      break;
    case YAML::NodeType::Null:
      out.push_back({prefix, "", where});
      break;
    default:
      break;
  }
}

}  // namespace

std::vector<ConfigEntry> parse_yaml_config(std::string_view text, const std::string& file, Diagnostics& diag) {
  std::vector<ConfigEntry> out;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    diag.error({file, e.mark.line >= 0 ? e.mark.line + 1 : 0}, "", "YAML syntax error: " + e.msg);
    return out;
  }
  if (!root.IsMap()) {
    if (!root.IsNull()) diag.error({file, 1}, "", "top level must be a map of agent names (expected `a1: {...}`)");
    return out;
  }
  for (const auto& agent : root) {
    std::string name = agent.first.as<std::string>();
    const YAML::Node& body = agent.second;
    if (!body.IsMap()) {
      diag.error({file, body.Mark().line + 1}, name, "agent must be a map with sources, channels, sinks");
      continue;
    }
    for (const char* kind : {"sources", "channels", "sinks", "sinkgroups"}) {
      YAML::Node list = body[kind];
      if (list && list.IsMap()) {
        // Derive "a1.sources = r1 r2" from the map keys.
        std::string names;
        for (const auto& c : list) names += (names.empty() ? "" : " ") + c.first.as<std::string>();
        out.push_back({name + "." + kind, names, {file, list.Mark().line + 1}});
      }
    }
    for (const auto& kv : body) {
      std::string k = kv.first.as<std::string>();
      flatten(kv.second, name + "." + k, file, out, diag);
    }
  }
  return out;
}

bool load_config_file(const std::string& path, std::vector<ConfigEntry>& out, Diagnostics& diag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diag.error({path, 0}, "", std::string("cannot read configuration file: ") + std::strerror(errno));
    return false;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  if (path.ends_with(".yaml") || path.ends_with(".yml"))
    out = parse_yaml_config(text, path, diag);
  else
    out = parse_properties(text, path, diag);
  return true;
}

}  // namespace sluice
