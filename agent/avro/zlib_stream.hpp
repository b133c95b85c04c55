// compression-type = deflate of Flume's Avro RPC: the whole connection, both directions, is one
// zlib stream (zlib wrapper, as Netty's ZlibEncoder/ZlibDecoder), each message sync-flushed.
#pragma once
#include <zlib.h>

#include <string>
#include <string_view>

namespace sluice::avro {

class Deflater {
 public:
  explicit Deflater(int level = 6);
  ~Deflater();
  // Compresses data and sync-flushes, so the peer can decode the whole message now.
  std::string compress(std::string_view data);

 private:
  z_stream z_{};
};

class Inflater {
 public:
  Inflater();
  ~Inflater();
  // Decompresses what is available; throws std::runtime_error on a corrupt stream. Output is
  // bounded by max_out per call (the caller reads in steps).
  std::string decompress(std::string_view data, size_t max_out = 64u << 20);

 private:
  z_stream z_{};
};

}  // namespace sluice::avro
