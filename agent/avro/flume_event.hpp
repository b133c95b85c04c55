// AvroFlumeEvent (org.apache.flume.source.avro): record { map<string> headers; bytes body; }.
// Its Avro binary encoding is what travels in Flume's Avro RPC and, with parseAsFlumeEvent /
// useFlumeEventFormat, what Flume writes to Kafka (no container, no schema fingerprint).
#pragma once
#include <string>
#include <string_view>

#include "agent/avro/binary.hpp"
#include "agent/event.hpp"

namespace sluice::avro {

void encode_flume_event(const Event& e, Encoder& enc);
std::string encode_flume_event(const Event& e);
// Throws DecodeError on malformed input.
Event decode_flume_event(Decoder& dec);
// Whole buffer must be exactly one event.
Event decode_flume_event(std::string_view bytes);

}  // namespace sluice::avro
