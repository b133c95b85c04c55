// Flume type: avro (org.apache.flume.source.AvroSource)
// Keys: bind (required), port (required), threads (4; Flume: unbounded), compression-type
// (none | deflate), ipFilter (false), ipFilterRules (Flume's syntax: allow:ip:127.*,deny:name:localhost;
// the first matching rule decides, no match denies), maxRequestBytes (64 MiB; sluice: frames above
// are refused and the connection closed), and sluice's idleTimeout (600 s; 0 = never) and
// maxConnections (1000).
// idleTimeout: a connection on which no complete request arrived for that long (a peer that sent half
// a frame, never reads its answers, or sits idle) is closed with a log line; a Flume or sluice avro
// sink just reconnects with its next batch. Above maxConnections new connections are closed at once.
// Speaks Flume's Avro IPC (agent/avro/ipc.hpp): the handshake on a connection's first call
// (BOTH / CLIENT / NONE), then append / appendBatch. Answers OK only after the events are committed
// to every required channel and FAILED when a channel is full, so the client retries.
// Bad input (absurd frame lengths or counts, garbage, unknown protocols) closes that connection
// with a log line; other connections are not affected. TLS with Flume's keys (ssl, keystore,
// keystore-password, keystore-type, exclude-protocols, ...; see agent/tls.hpp), plus mTLS
// (ssl-client-auth) which Flume's avro source does not offer.
#pragma once
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <vector>

#include "agent/source.hpp"

namespace sluice {

struct IpFilterRule {
  bool allow;
  bool by_name;  // match the peer's host name (reverse DNS) instead of its address
  std::string pattern;  // glob with * and ?
};
// Parses Flume's ipFilterRules; false with a reason on a malformed rule.
bool parse_ip_filter_rules(const std::string& text, std::vector<IpFilterRule>& out, std::string& error);
// First matching rule decides; no match denies (as Flume).
bool ip_allowed(const std::vector<IpFilterRule>& rules, const std::string& ip, const std::string& hostname);

class AvroSource : public Source {
 public:
  AvroSource(const std::string& name, Context& ctx);
  ~AvroSource() override;
  void start() override;
  void stop() override;
  int port() const;

  struct Impl;

 private:
  std::string bind_;
  int port_;
  int threads_;
  bool deflate_;
  size_t max_request_;
  int idle_timeout_s_;
  int max_connections_;
  bool ip_filter_;
  std::vector<IpFilterRule> rules_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
