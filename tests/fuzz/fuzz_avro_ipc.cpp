// Fuzzes Avro IPC as the avro source and sink read it: frame reassembly (FrameReader with small
// limits, input fed in uneven pieces), then the handshake request and call request in each frame,
// and the client side's handshake and status responses. No crash, no frame over the limit, and a
// decoded call encodes back to the same events.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/avro/ipc.hpp"

namespace {

constexpr size_t kMaxFrame = 4096;

void decode_request(std::string_view payload, bool& handshaken) {
  using namespace sluice::avro;
  try {
    Decoder dec(payload, kMaxFrame);
    if (!handshaken) {
      auto hs = read_handshake_request(dec);
      if (hs.client_protocol) is_flume_protocol(*hs.client_protocol);
      handshaken = true;
    }
    CallRequest call = read_call_request(dec);
    if (call.message == "append" && call.events.size() != 1) __builtin_trap();
    std::string again;
    Encoder enc(again);
    write_call_request(enc, call.message, call.events);
    Decoder dec2(again);
    CallRequest back = read_call_request(dec2);
    if (back.message != call.message || !(back.events == call.events)) __builtin_trap();
  } catch (const DecodeError&) {
  }
}

void decode_response(std::string_view payload) {
  using namespace sluice::avro;
  try {
    Decoder dec(payload, kMaxFrame);
    read_handshake_response(dec);
    read_status_response(dec);
  } catch (const DecodeError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  decode_response(in);
  sluice::avro::FrameReader reader(kMaxFrame, 16);
  bool handshaken = false;
  size_t off = 0, step = 1;
  try {
    while (off < in.size()) {
      std::string_view piece = in.substr(off, step);
      size_t consumed = 0;
      bool ready = reader.feed(piece, consumed);
      if (consumed > piece.size() || (!ready && consumed != piece.size())) __builtin_trap();
      off += consumed;
      if (ready) {
        auto [serial, payload] = reader.take();
        (void)serial;
        if (payload.size() > kMaxFrame) __builtin_trap();
        decode_request(payload, handshaken);
        decode_response(payload);
      }
      step = step * 3 % 61 + 1;
    }
  } catch (const sluice::avro::FrameError&) {
  }
  return 0;
}
