#include "agent/avro/flume_event.hpp"

namespace sluice::avro {

void encode_flume_event(const Event& e, Encoder& enc) {
  if (!e.headers.empty()) {
    enc.write_long(static_cast<int64_t>(e.headers.size()));
    for (const auto& [k, v] : e.headers) {
      enc.write_string(k);
      enc.write_string(v);
    }
  }
  enc.write_long(0);  // end of map
  enc.write_bytes(e.body);
}

std::string encode_flume_event(const Event& e) {
  std::string out;
  out.reserve(e.body.size() + 16 + e.headers.size() * 32);
  Encoder enc(out);
  encode_flume_event(e, enc);
  return out;
}

Event decode_flume_event(Decoder& dec) {
  Event e;
  while (int64_t n = dec.read_block_count()) {
    for (int64_t i = 0; i < n; ++i) {
      std::string k = dec.read_string();
      std::string v = dec.read_string();
      e.headers.set(std::move(k), std::move(v));
    }
  }
  e.body = std::string(dec.read_bytes());
  return e;
}

Event decode_flume_event(std::string_view bytes) {
  Decoder dec(bytes);
  Event e = decode_flume_event(dec);
  if (dec.remaining() != 0)
    throw DecodeError(std::to_string(dec.remaining()) + " trailing bytes after AvroFlumeEvent");
  return e;
}

}  // namespace sluice::avro
