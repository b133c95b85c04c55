#include "agent/registry.hpp"

#include <strings.h>

#include "channels/memory_channel.hpp"
#include "sources/http_source.hpp"

namespace sluice {

std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::Source: return "source";
    case Kind::Channel: return "channel";
    case Kind::Sink: return "sink";
    case Kind::Interceptor: return "interceptor";
  }
  return "component";
}

// One line per component type. Keep each table sorted by type name.
const std::vector<TypeEntry<Source>>& source_types() {
  static const std::vector<TypeEntry<Source>> table = {
      {"http", {"org.apache.flume.source.http.HTTPSource"}, "HTTP POST of JSON events or blobs (Boost.Beast)",
       &make_component<HttpSource, Source>},
  };
  return table;
}

const std::vector<TypeEntry<Channel>>& channel_types() {
  static const std::vector<TypeEntry<Channel>> table = {
      {"memory", {"org.apache.flume.channel.MemoryChannel"}, "bounded in-memory queue (lost on crash)",
       &make_component<MemoryChannel, Channel>},
  };
  return table;
}

const std::vector<TypeEntry<Sink>>& sink_types() {
  static const std::vector<TypeEntry<Sink>> table = {
  };
  return table;
}

const std::vector<TypeEntry<Interceptor>>& interceptor_types() {
  static const std::vector<TypeEntry<Interceptor>> table = {
  };
  return table;
}

template <typename Base>
const TypeEntry<Base>* find_type(const std::vector<TypeEntry<Base>>& table, std::string_view type) {
  for (const auto& e : table) {
    if (e.type.size() == type.size() && strncasecmp(e.type.data(), type.data(), type.size()) == 0) return &e;
    for (auto alias : e.aliases)
      if (alias == type) return &e;
  }
  return nullptr;
}

template const TypeEntry<Source>* find_type(const std::vector<TypeEntry<Source>>&, std::string_view);
template const TypeEntry<Channel>* find_type(const std::vector<TypeEntry<Channel>>&, std::string_view);
template const TypeEntry<Sink>* find_type(const std::vector<TypeEntry<Sink>>&, std::string_view);
template const TypeEntry<Interceptor>* find_type(const std::vector<TypeEntry<Interceptor>>&, std::string_view);

}  // namespace sluice
