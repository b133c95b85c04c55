#include "agent/component_help.hpp"

#include <cstdio>

namespace sluice {
namespace {

template <typename Base>
std::vector<KeyDoc> keys_of(const std::vector<TypeEntry<Base>>& table, const std::string& type) {
  const auto* e = find_type(table, type);
  if (!e) return {};
  Context ctx;  // empty: every getter returns its default and records its declaration
  try {
    e->make("help", ctx);
  } catch (const std::exception&) {
  }
  return ctx.documented_keys();
}

template <typename Base>
void list(const char* heading, const std::vector<TypeEntry<Base>>& table) {
  std::printf("%s:\n", heading);
  for (const auto& e : table) {
    std::printf("  %-22.*s %.*s\n", static_cast<int>(e.type.size()), e.type.data(), static_cast<int>(e.summary.size()),
                e.summary.data());
  }
}

// Keys the runtime reads for every component of a kind.
std::vector<KeyDoc> runtime_keys(Kind kind) {
  switch (kind) {
    case Kind::Source:
      return {{"channels", "list", "", "channels this source puts into", true},
              {"selector.type", "string", "replicating", "replicating | multiplexing", false},
              {"selector.*", "map", "", "selector keys: optional, header, mapping.<v>, default, optional.<v>", false},
              {"interceptors", "list", "", "interceptor names, applied in order", false},
              {"interceptors.<name>.*", "map", "", "type and keys of each interceptor", false}};
    case Kind::Sink:
      return {{"channel", "string", "", "the one channel this sink takes from", true}};
    default:
      return {};
  }
}

}  // namespace

std::vector<KeyDoc> component_keys(Kind kind, const std::string& type) {
  switch (kind) {
    case Kind::Source: return keys_of(source_types(), type);
    case Kind::Channel: return keys_of(channel_types(), type);
    case Kind::Sink: return keys_of(sink_types(), type);
    case Kind::Interceptor: return keys_of(interceptor_types(), type);
  }
  return {};
}

int print_component_help(const std::vector<std::string>& args, size_t from, const char* usage) {
  if (from >= args.size()) {
    std::fputs(usage, stdout);
    std::printf("\n");
    list("sources", source_types());
    list("channels", channel_types());
    list("sinks", sink_types());
    list("interceptors", interceptor_types());
    std::printf("\nsluice help <kind> <type> prints the keys of one type.\n");
    return 0;
  }
  const std::string& k = args[from];
  Kind kind;
  if (k == "source" || k == "sources") kind = Kind::Source;
  else if (k == "channel" || k == "channels") kind = Kind::Channel;
  else if (k == "sink" || k == "sinks") kind = Kind::Sink;
  else if (k == "interceptor" || k == "interceptors") kind = Kind::Interceptor;
  else {
    std::fprintf(stderr, "sluice help: unknown kind '%s' (expected source, channel, sink or interceptor)\n", k.c_str());
    return 2;
  }
  if (from + 1 >= args.size()) {
    switch (kind) {
      case Kind::Source: list("sources", source_types()); break;
      case Kind::Channel: list("channels", channel_types()); break;
      case Kind::Sink: list("sinks", sink_types()); break;
      case Kind::Interceptor: list("interceptors", interceptor_types()); break;
    }
    return 0;
  }
  const std::string& type = args[from + 1];
  bool known = false;
  switch (kind) {
    case Kind::Source: known = find_type(source_types(), type); break;
    case Kind::Channel: known = find_type(channel_types(), type); break;
    case Kind::Sink: known = find_type(sink_types(), type); break;
    case Kind::Interceptor: known = find_type(interceptor_types(), type); break;
  }
  if (!known) {
    std::fprintf(stderr, "sluice help: '%s' is not a %s type (run `sluice help %s`)\n", type.c_str(),
                 std::string(kind_name(kind)).c_str(), std::string(kind_name(kind)).c_str());
    return 2;
  }
  std::printf("%s %s\n\n%-36s %-22s %-14s %s\n", std::string(kind_name(kind)).c_str(), type.c_str(), "key", "type",
              "default", "meaning");
  auto keys = runtime_keys(kind);
  auto own = component_keys(kind, type);
  keys.insert(keys.end(), own.begin(), own.end());
  for (const auto& d : keys) {
    std::printf("%-36s %-22s %-14s %s%s\n", d.key.c_str(), d.type.c_str(), d.default_value.c_str(),
                d.required ? "(required) " : "", d.doc.c_str());
  }
  return 0;
}

}  // namespace sluice
