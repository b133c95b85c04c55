#include "agent/avro/ipc.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>

#include "agent/avro/flume_event.hpp"

namespace sluice::avro {

const std::string& flume_protocol_json() {
  // The text Flume's generated AvroSourceProtocol carries (its PROTOCOL constant).
  static const std::string json =
      R"({"protocol":"AvroSourceProtocol","namespace":"org.apache.flume.source.avro","types":[{"type":"enum","name":"Status","symbols":["OK","FAILED","UNKNOWN"]},{"type":"record","name":"AvroFlumeEvent","fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}],"messages":{"append":{"request":[{"name":"event","type":"AvroFlumeEvent"}],"response":"Status"},"appendBatch":{"request":[{"name":"events","type":{"type":"array","items":"AvroFlumeEvent"}}],"response":"Status"}}})";
  return json;
}

std::string md5(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<char*>(out), n);
}

const std::string& flume_protocol_md5() {
  static const std::string h = md5(flume_protocol_json());
  return h;
}

bool is_flume_protocol(std::string_view json) {
  boost::json::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return false;
  const auto& o = v.as_object();
  auto* name = o.if_contains("protocol");
  auto* msgs = o.if_contains("messages");
  return name && name->is_string() && name->as_string() == "AvroSourceProtocol" && msgs && msgs->is_object() &&
         msgs->as_object().contains("append") && msgs->as_object().contains("appendBatch");
}

namespace {
int32_t be32(std::string_view b) {
  return static_cast<int32_t>((static_cast<uint32_t>(static_cast<uint8_t>(b[0])) << 24) |
                              (static_cast<uint32_t>(static_cast<uint8_t>(b[1])) << 16) |
                              (static_cast<uint32_t>(static_cast<uint8_t>(b[2])) << 8) |
                              static_cast<uint32_t>(static_cast<uint8_t>(b[3])));
}
void put32(std::string& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xFF);
}
}  // namespace

bool FrameReader::feed(std::string_view data, size_t& consumed) {
  consumed = 0;
  while (consumed < data.size() && !ready_) {
    if (buffers_left_ < 0 || len_left_ < 0) {
      // Collecting 8 header bytes (serial + count) or 4 length bytes.
      size_t need = buffers_left_ < 0 ? 8 : 4;
      size_t take = std::min(need - hdr_.size(), data.size() - consumed);
      hdr_.append(data.substr(consumed, take));
      consumed += take;
      if (hdr_.size() < need) break;
      if (buffers_left_ < 0) {
        serial_ = be32(hdr_);
        int32_t count = be32(std::string_view(hdr_).substr(4));
        if (count < 0 || static_cast<size_t>(count) > max_buffers_)
          throw FrameError("frame announces " + std::to_string(count) + " buffers (limit " +
                           std::to_string(max_buffers_) + ")");
        buffers_left_ = count;
        payload_.clear();
        if (count == 0) ready_ = true;
      } else {
        int32_t len = be32(hdr_);
        if (len < 0 || payload_.size() + static_cast<size_t>(len) > max_bytes_)
          throw FrameError("frame of more than " + std::to_string(max_bytes_) + " bytes (buffer length " +
                           std::to_string(len) + ")");
        len_left_ = len;
        if (len == 0) {
          len_left_ = -1;
          if (--buffers_left_ == 0) ready_ = true;
        }
      }
      hdr_.clear();
      if (buffers_left_ > 0 && len_left_ < 0 && !ready_) continue;
      continue;
    }
    size_t take = std::min(static_cast<size_t>(len_left_), data.size() - consumed);
    payload_.append(data.substr(consumed, take));
    consumed += take;
    len_left_ -= static_cast<int64_t>(take);
    if (len_left_ == 0) {
      len_left_ = -1;
      if (--buffers_left_ == 0) ready_ = true;
    }
  }
  return ready_;
}

std::pair<int32_t, std::string> FrameReader::take() {
  ready_ = false;
  buffers_left_ = -1;
  len_left_ = -1;
  return {serial_, std::move(payload_)};
}

std::string encode_frame(int32_t serial, std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 12);
  put32(out, static_cast<uint32_t>(serial));
  put32(out, 1);
  put32(out, static_cast<uint32_t>(payload.size()));
  out.append(payload);
  return out;
}

void set_frame_header(std::string& out, int32_t serial) {
  if (out.size() < kFrameHeader) throw std::logic_error("set_frame_header: no room for the header");
  std::string hdr;
  put32(hdr, static_cast<uint32_t>(serial));
  put32(hdr, 1);
  put32(hdr, static_cast<uint32_t>(out.size() - kFrameHeader));
  out.replace(0, kFrameHeader, hdr);
}

void write_handshake_request(Encoder& enc, const HandshakeRequest& r) {
  enc.write_fixed(r.client_hash);
  if (r.client_protocol) {
    enc.write_long(1);
    enc.write_string(*r.client_protocol);
  } else {
    enc.write_long(0);
  }
  enc.write_fixed(r.server_hash);
  enc.write_long(0);  // meta: null
}

namespace {
std::optional<std::string> read_optional_string(Decoder& dec) {
  int64_t branch = dec.read_long();
  if (branch == 0) return std::nullopt;
  if (branch != 1) throw DecodeError("bad union branch " + std::to_string(branch));
  return dec.read_string();
}
void skip_meta_union(Decoder& dec) {
  int64_t branch = dec.read_long();
  if (branch == 0) return;
  if (branch != 1) throw DecodeError("bad meta union branch " + std::to_string(branch));
  while (int64_t n = dec.read_block_count())
    for (int64_t i = 0; i < n; ++i) {
      dec.read_bytes();
      dec.read_bytes();
    }
}
void skip_meta_map(Decoder& dec) {
  while (int64_t n = dec.read_block_count())
    for (int64_t i = 0; i < n; ++i) {
      dec.read_bytes();
      dec.read_bytes();
    }
}
}  // namespace

HandshakeRequest read_handshake_request(Decoder& dec) {
  HandshakeRequest r;
  r.client_hash = std::string(dec.read_fixed(16));
  r.client_protocol = read_optional_string(dec);
  r.server_hash = std::string(dec.read_fixed(16));
  skip_meta_union(dec);
  return r;
}

void write_handshake_response(Encoder& enc, const HandshakeResponse& r) {
  enc.write_long(static_cast<int>(r.match));
  if (r.server_protocol) {
    enc.write_long(1);
    enc.write_string(*r.server_protocol);
  } else {
    enc.write_long(0);
  }
  if (r.server_hash) {
    enc.write_long(1);
    enc.write_fixed(*r.server_hash);
  } else {
    enc.write_long(0);
  }
  enc.write_long(0);  // meta: null
}

HandshakeResponse read_handshake_response(Decoder& dec) {
  HandshakeResponse r;
  int64_t m = dec.read_long();
  if (m < 0 || m > 2) throw DecodeError("bad handshake match " + std::to_string(m));
  r.match = static_cast<HandshakeMatch>(m);
  r.server_protocol = read_optional_string(dec);
  int64_t branch = dec.read_long();
  if (branch == 1) r.server_hash = std::string(dec.read_fixed(16));
  else if (branch != 0) throw DecodeError("bad serverHash union branch");
  skip_meta_union(dec);
  return r;
}

CallRequest read_call_request(Decoder& dec) {
  skip_meta_map(dec);
  CallRequest c;
  c.message = dec.read_string();
  if (c.message == "append") {
    c.events.push_back(decode_flume_event(dec));
  } else if (c.message == "appendBatch") {
    while (int64_t n = dec.read_block_count()) {
      for (int64_t i = 0; i < n; ++i) c.events.push_back(decode_flume_event(dec));
    }
  } else {
    throw DecodeError("unknown message '" + c.message + "' (expected append or appendBatch)");
  }
  return c;
}

void write_call_request(Encoder& enc, const std::string& message, const Batch& events) {
  enc.write_long(0);  // meta: empty map
  enc.write_string(message);
  if (message == "append") {
    encode_flume_event(events.at(0), enc);
    return;
  }
  if (!events.empty()) {
    enc.write_long(static_cast<int64_t>(events.size()));
    for (const auto& e : events) encode_flume_event(e, enc);
  }
  enc.write_long(0);
}

void write_status_response(Encoder& enc, Status s) {
  enc.write_long(0);      // meta: empty map
  enc.write_bool(false);  // not an error
  enc.write_long(static_cast<int>(s));
}

void write_error_response(Encoder& enc, std::string_view message) {
  enc.write_long(0);
  enc.write_bool(true);
  enc.write_long(0);  // error union ["string"]: branch 0
  enc.write_string(message);
}

Status read_status_response(Decoder& dec) {
  skip_meta_map(dec);
  if (dec.read_bool()) {
    dec.read_long();
    throw DecodeError("remote error: " + dec.read_string());
  }
  int64_t s = dec.read_long();
  if (s < 0 || s > 2) throw DecodeError("bad Status value " + std::to_string(s));
  return static_cast<Status>(s);
}

}  // namespace sluice::avro
