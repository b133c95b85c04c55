// Java Kafka client property names in kafka.producer.* / kafka.consumer.* (as Flume configs carry
// them) that librdkafka spells differently or does not have: renamed to librdkafka's name with a
// warning, ignored with a warning when librdkafka has no such setting, or an error saying what to
// write instead. Every other property goes to librdkafka unchanged (and one it does not know is then
// a config error, reported by the component). Used by the kafka channel, sink and source.
#pragma once
#include <map>
#include <string>

#include "agent/context.hpp"

namespace sluice {

// prefix: "kafka.producer." or "kafka.consumer." (for the messages); props: the keys under it.
void map_java_kafka_properties(Context& ctx, const std::string& prefix, std::map<std::string, std::string>& props);

}  // namespace sluice
