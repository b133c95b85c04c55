#include "agent/avro/zlib_stream.hpp"

#include <stdexcept>

namespace sluice::avro {

Deflater::Deflater(int level) {
  if (deflateInit(&z_, level) != Z_OK) throw std::runtime_error("zlib deflateInit failed");
}
Deflater::~Deflater() { deflateEnd(&z_); }

std::string Deflater::compress(std::string_view data) {
  std::string out;
  char buf[65536];
  z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z_.avail_in = static_cast<uInt>(data.size());
  do {
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = sizeof buf;
    if (deflate(&z_, Z_SYNC_FLUSH) == Z_STREAM_ERROR) throw std::runtime_error("zlib deflate failed");
    out.append(buf, sizeof buf - z_.avail_out);
  } while (z_.avail_out == 0);
  return out;
}

Inflater::Inflater() {
  if (inflateInit(&z_) != Z_OK) throw std::runtime_error("zlib inflateInit failed");
}
Inflater::~Inflater() { inflateEnd(&z_); }

std::string Inflater::decompress(std::string_view data, size_t max_out) {
  std::string out;
  char buf[65536];
  z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z_.avail_in = static_cast<uInt>(data.size());
  while (z_.avail_in > 0) {
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = sizeof buf;
    int rc = inflate(&z_, Z_SYNC_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
      throw std::runtime_error(std::string("corrupt deflate stream: ") + (z_.msg ? z_.msg : "inflate failed"));
    out.append(buf, sizeof buf - z_.avail_out);
    if (out.size() > max_out) throw std::runtime_error("deflate stream expands beyond the request limit");
    if (rc == Z_STREAM_END || (rc == Z_BUF_ERROR && z_.avail_out != 0)) break;
  }
  return out;
}

}  // namespace sluice::avro
