// One keep-alive HTTP/1.1 connection (Boost.Beast) to one endpoint, plain or TLS with certificate
// and host-name verification. Blocking calls with a deadline per request: the asynchronous
// operations run on a private io_context, so a server that never answers becomes a timeout.
// Not thread-safe: callers use one transport per thread (S3Client keeps a pool).
#pragma once
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "sinks/backends/s3/sigv4.hpp"

namespace sluice::s3 {

// Where to connect: parsed from "http://host:port" / "https://host".
struct Endpoint {
  bool tls = true;
  std::string host;
  std::string port;  // "443" / "80" unless given
  // Value for the Host header (with the port when it is not the scheme's default).
  std::string host_header() const;
  static Endpoint parse(const std::string& url);  // throws std::invalid_argument with the reason
};

struct TransportOptions {
  std::chrono::milliseconds timeout{30000};  // for connect, and for each request/response exchange
  bool verify_tls = true;
  std::string ca_file;  // empty: the system's trust store
  size_t max_response_bytes = 64 * 1024 * 1024;
};

struct HttpRequest {
  std::string method;
  std::string target;  // encoded path + query
  HeaderList headers;
  std::string_view body;  // not owned; must outlive send()
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
  std::string header(std::string_view name) const;  // case-insensitive; "" if missing
};

// Network-level failure (connect refused, reset, timeout, TLS): always worth a retry.
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The server's certificate did not verify (unknown CA, wrong host name, expired): not retried.
class CertificateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HttpTransport {
 public:
  HttpTransport(Endpoint ep, TransportOptions opts);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;
  // Sends one request on the kept-alive connection (connecting first if needed). Throws
  // TransportError; the connection is dropped after any failure.
  HttpResponse send(const HttpRequest& req);
  const Endpoint& endpoint() const { return ep_; }

 private:
  struct Impl;
  Endpoint ep_;
  TransportOptions opts_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::s3
