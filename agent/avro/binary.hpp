// Avro binary encoding primitives (Avro 1.x specification, "Binary Encoding"): zig-zag varint
// long/int, length-prefixed bytes/string, and map/array blocks. The decoder is bounds-checked and
// caps every length read from the wire, so hostile input cannot force a large allocation.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sluice::avro {

class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}
  void write_long(int64_t v);
  void write_int(int32_t v) { write_long(v); }
  void write_bool(bool b) { out_.push_back(b ? 1 : 0); }
  void write_bytes(std::string_view b);
  void write_string(std::string_view s) { write_bytes(s); }
  void write_fixed(std::string_view b) { out_.append(b); }
  std::string& buffer() { return out_; }

 private:
  std::string& out_;
};

class Decoder {
 public:
  // max_length caps any single bytes/string length and block count read from the input.
  explicit Decoder(std::string_view in, size_t max_length = 64u << 20) : in_(in), max_(max_length) {}
  int64_t read_long();
  int32_t read_int();
  bool read_bool();
  std::string_view read_bytes();  // view into the input
  std::string read_string() { return std::string(read_bytes()); }
  std::string_view read_fixed(size_t n);
  // Reads a block count of a map/array; a negative count is followed by the block's byte size
  // (skipped here, as the items are read one by one). Returns the number of items (0 ends).
  int64_t read_block_count();
  size_t remaining() const { return in_.size() - pos_; }
  size_t position() const { return pos_; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  size_t max_;
};

}  // namespace sluice::avro
