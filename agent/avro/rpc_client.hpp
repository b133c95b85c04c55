// A client of Flume's Avro RPC (what the avro sink and `sluice avro-client` use): one connection,
// the handshake on its first call (sending our protocol text so any Avro server can answer at
// once), then appendBatch calls, each waiting for its Status within the request timeout.
// Any I/O or protocol error throws and closes the connection; the caller reconnects.
// With `tls` set the connection is TLS (OpenSSL over the same non-blocking socket, same timeouts);
// the server certificate is verified as the context says, its name against `host` if verify_hostname.
#pragma once
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include <openssl/ssl.h>

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
  std::shared_ptr<SSL_CTX> tls;  // null: plain TCP
  bool verify_hostname = true;
};

class RpcClient {
 public:
  explicit RpcClient(RpcOptions o) : o_(std::move(o)) {}
  ~RpcClient() { close(); }
  void connect();
  bool connected() const { return fd_ >= 0; }
  // True when the server has closed (or reset) the connection since its last answer: a server never
  // speaks unasked, so anything readable between calls means the connection is finished.
  bool peer_closed() const;
  // Sends the events as one appendBatch; returns the server's Status.
  Status append_batch(const Batch& events);
  void close();

 private:
  void send_all(const std::string& data, std::chrono::steady_clock::time_point deadline);
  std::string receive_frame(std::chrono::steady_clock::time_point deadline);
  void tls_handshake(std::chrono::steady_clock::time_point deadline);
  // Waits until the socket is readable/writable as OpenSSL (or the kernel) asked; throws on timeout.
  void wait(bool for_write, std::chrono::steady_clock::time_point deadline, const char* what);
  // Reads some bytes (TLS or plain); 0 at end of stream; throws on error or timeout.
  size_t read_some(char* buf, size_t n, std::chrono::steady_clock::time_point deadline);
  RpcOptions o_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  bool handshaken_ = false;
  int32_t serial_ = 0;
  std::unique_ptr<Deflater> deflater_;
  std::unique_ptr<Inflater> inflater_;
  std::string pending_;  // received bytes not yet part of a frame
  std::string request_;  // the frame being sent, reused between calls
};

}  // namespace sluice::avro
