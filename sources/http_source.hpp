// Flume type: http (org.apache.flume.source.http.HTTPSource)
// Keys: bind (0.0.0.0), port (required), handler (org.apache.flume.source.http.JSONHandler; or
// BLOBHandler), handler.* (handler keys), threads (4; sluice: request threads), maxRequestBytes
// (64 MiB; sluice: larger bodies get 413), idleTimeout (60 s; sluice: keep-alive connections idle
// longer are closed).
// Answers as Flume: 200 once the events are committed to every required channel, 503 when a channel
// is full (the client retries), 400 with the reason for a malformed request, 500 otherwise.
// HTTPS with Flume's keys: ssl, keystore, keystore-password, keystore-type, exclude-protocols,
// include-protocols, exclude-cipher-suites, include-cipher-suites (and Flume 1.8's enableSSL,
// keystorePassword, excludeProtocols, with a deprecation warning); see agent/tls.hpp.
#pragma once
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "agent/source.hpp"
#include "sources/http/handlers.hpp"

namespace sluice {

class HttpSource : public Source {
 public:
  HttpSource(const std::string& name, Context& ctx);
  ~HttpSource() override;
  void start() override;
  void stop() override;
  int port() const;  // the bound port (port 0 binds a free one)

  struct Server;

 private:
  std::string bind_;
  int port_;
  int threads_;
  size_t max_request_;
  int idle_timeout_s_;
  std::unique_ptr<http::Handler> handler_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::unique_ptr<Server> server_;
};

}  // namespace sluice
