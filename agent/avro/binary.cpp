#include "agent/avro/binary.hpp"

namespace sluice::avro {

void Encoder::write_long(int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z & ~0x7FULL) {
    out_.push_back(static_cast<char>((z & 0x7F) | 0x80));
    z >>= 7;
  }
  out_.push_back(static_cast<char>(z));
}

void Encoder::write_bytes(std::string_view b) {
  write_long(static_cast<int64_t>(b.size()));
  out_.append(b);
}

int64_t Decoder::read_long() {
  uint64_t z = 0;
  int shift = 0;
  while (true) {
    if (pos_ >= in_.size()) throw DecodeError("truncated varint at offset " + std::to_string(pos_));
    uint8_t b = static_cast<uint8_t>(in_[pos_++]);
    if (shift == 63 && (b & 0x7E)) throw DecodeError("varint overflows 64 bits at offset " + std::to_string(pos_));
    z |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
    if (shift > 63) throw DecodeError("varint longer than 10 bytes at offset " + std::to_string(pos_));
  }
  return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
}

int32_t Decoder::read_int() {
  int64_t v = read_long();
  if (v < INT32_MIN || v > INT32_MAX) throw DecodeError("int out of range at offset " + std::to_string(pos_));
  return static_cast<int32_t>(v);
}

bool Decoder::read_bool() {
  if (pos_ >= in_.size()) throw DecodeError("truncated boolean at offset " + std::to_string(pos_));
  uint8_t b = static_cast<uint8_t>(in_[pos_++]);
  if (b > 1) throw DecodeError("invalid boolean byte at offset " + std::to_string(pos_ - 1));
  return b == 1;
}

std::string_view Decoder::read_bytes() {
  size_t at = pos_;
  int64_t n = read_long();
  if (n < 0) throw DecodeError("negative length at offset " + std::to_string(at));
  if (static_cast<uint64_t>(n) > max_)
    throw DecodeError("length " + std::to_string(n) + " over the limit " + std::to_string(max_) + " at offset " +
                      std::to_string(at));
  return read_fixed(static_cast<size_t>(n));
}

std::string_view Decoder::read_fixed(size_t n) {
  if (n > remaining())
    throw DecodeError("truncated: need " + std::to_string(n) + " bytes at offset " + std::to_string(pos_) + ", have " +
                      std::to_string(remaining()));
  std::string_view v = in_.substr(pos_, n);
  pos_ += n;
  return v;
}

int64_t Decoder::read_block_count() {
  size_t at = pos_;
  int64_t n = read_long();
  if (n < 0) {
    if (n == INT64_MIN) throw DecodeError("invalid block count at offset " + std::to_string(at));
    n = -n;
    read_long();  // block size in bytes; not needed when reading item by item
  }
  // Every item takes at least one byte, so a count above what is left is a lie.
  if (static_cast<uint64_t>(n) > remaining() + 1 || static_cast<uint64_t>(n) > max_)
    throw DecodeError("block count " + std::to_string(n) + " larger than the input at offset " + std::to_string(at));
  return n;
}

}  // namespace sluice::avro
