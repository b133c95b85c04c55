// Avro IPC as Flume speaks it over its Netty transceiver (Avro specification, "Protocol Wire
// Format", and Avro Java's NettyTransportCodec):
//   frame    = int32 serial, int32 count, count x (int32 length, bytes)   (big-endian)
//   request  = [HandshakeRequest on a connection's first call] meta map<bytes>, message name, params
//   response = [HandshakeResponse on the first call] meta map<bytes>, boolean error, Status | error
// The protocol is Flume's AvroSourceProtocol: append(AvroFlumeEvent), appendBatch(array<...>),
// both answering Status {OK, FAILED, UNKNOWN}.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/avro/binary.hpp"
#include "agent/event.hpp"

namespace sluice::avro {

// Flume's AvroSourceProtocol as JSON, and its MD5 (what a peer sends as the protocol hash).
const std::string& flume_protocol_json();
const std::string& flume_protocol_md5();  // 16 raw bytes
std::string md5(std::string_view data);

enum class Status { Ok = 0, Failed = 1, Unknown = 2 };
enum class HandshakeMatch { Both = 0, Client = 1, None = 2 };

// Reassembles frames from a byte stream. Limits bound memory: a frame announcing more than
// max_buffers buffers or max_bytes in total is rejected (FrameError) before anything is allocated.
class FrameError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FrameReader {
 public:
  FrameReader(size_t max_bytes, size_t max_buffers = 65536) : max_bytes_(max_bytes), max_buffers_(max_buffers) {}
  // Appends bytes; returns true when a whole frame is ready (then take() it).
  bool feed(std::string_view data, size_t& consumed);
  // The frame's serial and its buffers concatenated.
  std::pair<int32_t, std::string> take();

 private:
  size_t max_bytes_, max_buffers_;
  std::string hdr_;
  int32_t serial_ = 0;
  int64_t buffers_left_ = -1;  // -1: reading the frame header
  int64_t len_left_ = -1;      // -1: reading a buffer length
  std::string payload_;
  bool ready_ = false;
};

std::string encode_frame(int32_t serial, std::string_view payload);
// The same frame built in place: `out` holds kFrameHeader bytes of room followed by the payload;
// fills in the header (serial, one buffer, its length). Saves copying a large request.
constexpr size_t kFrameHeader = 12;
void set_frame_header(std::string& out, int32_t serial);

struct HandshakeRequest {
  std::string client_hash;  // 16 bytes
  std::optional<std::string> client_protocol;
  std::string server_hash;  // 16 bytes
};
struct HandshakeResponse {
  HandshakeMatch match = HandshakeMatch::Both;
  std::optional<std::string> server_protocol;
  std::optional<std::string> server_hash;
};

void write_handshake_request(Encoder& enc, const HandshakeRequest& r);
HandshakeRequest read_handshake_request(Decoder& dec);
void write_handshake_response(Encoder& enc, const HandshakeResponse& r);
HandshakeResponse read_handshake_response(Decoder& dec);

// Call request after the handshake: message "append" or "appendBatch" with its events.
struct CallRequest {
  std::string message;
  Batch events;
};
CallRequest read_call_request(Decoder& dec);
void write_call_request(Encoder& enc, const std::string& message, const Batch& events);

void write_status_response(Encoder& enc, Status s);
void write_error_response(Encoder& enc, std::string_view message);
// Reads a call response: the Status, or throws DecodeError carrying the remote error text.
Status read_status_response(Decoder& dec);

// Whether a client's protocol text is Flume's protocol (name and the two messages).
bool is_flume_protocol(std::string_view json);

}  // namespace sluice::avro
