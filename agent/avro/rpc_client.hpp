// A client of Flume's Avro RPC (what the avro sink and `sluice avro-client` use): one connection,
// the handshake on its first call (sending our protocol text so any Avro server can answer at
// once), then appendBatch calls, each waiting for its Status within the request timeout.
// Any I/O or protocol error throws and closes the connection; the caller reconnects.
#pragma once
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "agent/avro/ipc.hpp"
#include "agent/avro/zlib_stream.hpp"

namespace sluice::avro {

class RpcError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RpcOptions {
  std::string host;
  int port = 0;
  std::chrono::milliseconds connect_timeout{20000};
  std::chrono::milliseconds request_timeout{20000};
  bool deflate = false;
  int level = 6;
  size_t max_response = 1 << 20;
};

class RpcClient {
 public:
  explicit RpcClient(RpcOptions o) : o_(std::move(o)) {}
  ~RpcClient() { close(); }
  void connect();
  bool connected() const { return fd_ >= 0; }
  // Sends the events as one appendBatch; returns the server's Status.
  Status append_batch(const Batch& events);
  void close();

 private:
  void send_all(const std::string& data, std::chrono::steady_clock::time_point deadline);
  std::string receive_frame(std::chrono::steady_clock::time_point deadline);
  RpcOptions o_;
  int fd_ = -1;
  bool handshaken_ = false;
  int32_t serial_ = 0;
  std::unique_ptr<Deflater> deflater_;
  std::unique_ptr<Inflater> inflater_;
  std::string pending_;  // received bytes not yet part of a frame
};

}  // namespace sluice::avro
