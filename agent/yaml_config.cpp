#include "agent/yaml_config.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace sluice {
namespace {

// yaml-cpp turns `null`/`Null`/`NULL` into a Null node and forgets the text; but in a Flume tree
// `type: null` names the null sink. Recover the literal from the source text.
std::string null_literal(const YAML::Node& node, std::string_view text) {
  int pos = node.Mark().pos;
  if (pos < 0 || static_cast<size_t>(pos) >= text.size()) return "";
  std::string_view rest = text.substr(static_cast<size_t>(pos), 4);
  if (rest == "null" || rest == "Null" || rest == "NULL") {
    size_t after = static_cast<size_t>(pos) + 4;
    if (after >= text.size() || std::string_view(" \t\r\n,}]#").find(text[after]) != std::string_view::npos)
      return std::string(rest);
  }
  return "";
}

void flatten(const YAML::Node& node, const std::string& prefix, const std::string& file, std::string_view text,
             std::vector<ConfigEntry>& out, Diagnostics& diag) {
  Location where{file, node.Mark().line >= 0 ? node.Mark().line + 1 : 0};
  switch (node.Type()) {
    case YAML::NodeType::Map:
      for (const auto& kv : node) {
        std::string k = kv.first.as<std::string>();
        flatten(kv.second, prefix.empty() ? k : prefix + "." + k, file, text, out, diag);
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
      out.push_back({prefix, null_literal(node, text), where});
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
      flatten(kv.second, name + "." + k, file, text, out, diag);
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
