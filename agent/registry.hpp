// The component registry: one table from Flume type name (and the Java class names Flume accepts
// for built-ins) to a factory. Components read and validate their keys in their constructor through
// the Context; they must not open files or sockets before start().
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/channel.hpp"
#include "agent/context.hpp"
#include "agent/interceptor.hpp"
#include "agent/sink.hpp"
#include "agent/source.hpp"

namespace sluice {

enum class Kind { Source, Channel, Sink, Interceptor };
std::string_view kind_name(Kind k);  // "source", "channel", "sink", "interceptor"

template <typename Base>
using Factory = std::unique_ptr<Base> (*)(const std::string& name, Context& ctx);

template <typename Base>
struct TypeEntry {
  std::string_view type;                   // Flume's short name, matched case-insensitively
  std::vector<std::string_view> aliases;   // full Java class names, matched exactly
  std::string_view summary;
  Factory<Base> make;
};

const std::vector<TypeEntry<Source>>& source_types();
const std::vector<TypeEntry<Channel>>& channel_types();
const std::vector<TypeEntry<Sink>>& sink_types();
const std::vector<TypeEntry<Interceptor>>& interceptor_types();

// nullptr when unknown.
template <typename Base>
const TypeEntry<Base>* find_type(const std::vector<TypeEntry<Base>>& table, std::string_view type);

template <typename T, typename Base>
std::unique_ptr<Base> make_component(const std::string& name, Context& ctx) {
  return std::make_unique<T>(name, ctx);
}

}  // namespace sluice
