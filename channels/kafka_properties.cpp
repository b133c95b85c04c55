#include "channels/kafka_properties.hpp"

#include <cstdlib>

namespace sluice {
namespace {

struct Rename {
  const char* java;
  const char* librdkafka;
};
// Same meaning and unit, another name (librdkafka's CONFIGURATION.md). Java names librdkafka already
// accepts as aliases (sasl.mechanism, delivery.timeout.ms, max.partition.fetch.bytes, retries,
// request.timeout.ms, ...) need nothing.
constexpr Rename kRenames[] = {
    {"max.request.size", "message.max.bytes"},
    {"fetch.max.wait.ms", "fetch.wait.max.ms"},
};

// Settings of the Java client that have no librdkafka counterpart and no effect here.
constexpr const char* kIgnored[][2] = {
    {"key.serializer", "records are bytes; there are no serializers"},
    {"value.serializer", "records are bytes; there are no serializers"},
    {"key.deserializer", "records are bytes; there are no deserializers"},
    {"value.deserializer", "records are bytes; there are no deserializers"},
    {"max.poll.records", "records per transaction are the component's batchSize"},
};

// Java settings that need another form: the message says which.
constexpr const char* kReplaced[][2] = {
    {"sasl.jaas.config", "is Java's JAAS syntax: set sasl.username and sasl.password (and sasl.mechanism)"},
    {"ssl.truststore.location", "is a Java truststore: set ssl.ca.location to the CA certificates in PEM"},
    {"ssl.truststore.password", "is for a Java truststore: set ssl.ca.location to the CA certificates in PEM"},
    {"ssl.truststore.type", "is for a Java truststore: set ssl.ca.location to the CA certificates in PEM"},
};

}  // namespace

void map_java_kafka_properties(Context& ctx, const std::string& prefix, std::map<std::string, std::string>& props) {
  for (const auto& r : kRenames) {
    auto it = props.find(r.java);
    if (it == props.end()) continue;
    ctx.warning(prefix + r.java, std::string("is the Java client's name: passed to librdkafka as ") + r.librdkafka);
    props.emplace(r.librdkafka, it->second);  // an explicit librdkafka key wins
    props.erase(it);
  }
  // buffer.memory is bytes; librdkafka's queue.buffering.max.kbytes is kilobytes.
  if (auto it = props.find("buffer.memory"); it != props.end()) {
    char* end = nullptr;
    long long bytes = std::strtoll(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end || bytes < 1024) {
      ctx.error(prefix + "buffer.memory", "'" + it->second + "' is not a byte count of at least 1024");
    } else {
      ctx.warning(prefix + "buffer.memory", "is the Java client's name: passed to librdkafka as queue.buffering.max.kbytes = " +
                                                std::to_string(bytes / 1024));
      props.emplace("queue.buffering.max.kbytes", std::to_string(bytes / 1024));
    }
    props.erase(it);
  }
  for (const auto& [java, why] : kIgnored) {
    if (props.erase(java)) ctx.warning(prefix + java, std::string("is ignored: ") + why);
  }
  for (const auto& [java, instead] : kReplaced) {
    if (props.erase(java)) ctx.error(prefix + java, instead);
  }
}

}  // namespace sluice
