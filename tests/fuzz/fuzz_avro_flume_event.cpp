// Fuzzes the Avro binary decoder with AvroFlumeEvent input: no crash, no unbounded allocation
// (lengths and counts are capped against the input size).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/avro/flume_event.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto e = sluice::avro::decode_flume_event(std::string_view(reinterpret_cast<const char*>(data), size));
    // Whatever decodes must encode back to the same bytes' meaning.
    auto again = sluice::avro::decode_flume_event(sluice::avro::encode_flume_event(e));
    if (!(again == e)) __builtin_trap();
  } catch (const sluice::avro::DecodeError&) {
  }
  return 0;
}
