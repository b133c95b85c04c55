// Flume types: syslogtcp (org.apache.flume.source.SyslogTcpSource) and multiport_syslogtcp
// (org.apache.flume.source.MultiportSyslogTCPSource).
// Keys: host (0.0.0.0), port (syslogtcp, required) / ports (multiport, space separated), eventSize
// (2500), keepFields (none), clientIPHeader, clientHostnameHeader, portHeader, charset.default,
// charset.port.<port>, batchSize (100), readBufferSize, numProcessors (1), and sluice's
// maxConnections (1000) and idleTimeout (600 s); TLS (RFC 5425) with the keys of agent/tls.hpp
// (ssl, keystore or ssl-certificate/ssl-key, ssl-client-auth for mTLS, protocols, cipher suites).
// Flume's syslog TCP sources have no TLS; the keys are those of Flume's other TLS sources.
// Framing per connection: newline-delimited or RFC 6587 octet counting (Flume reads only the first).
// Backpressure: when the channel is full the messages already read are kept and offered again and
// the connection is not read meanwhile, so the sender's TCP window fills; nothing is dropped.
#pragma once
#include <memory>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "agent/source.hpp"
#include "sources/syslog/syslog_options.hpp"

namespace sluice {

class SyslogTcpSource : public Source {
 public:
  SyslogTcpSource(const std::string& name, Context& ctx) : SyslogTcpSource(name, ctx, false) {}
  ~SyslogTcpSource() override;
  void start() override;
  void stop() override;
  std::vector<int> bound_ports() const;

  struct Impl;

 protected:
  SyslogTcpSource(const std::string& name, Context& ctx, bool multiport);

 private:
  syslog::Options opts_;
  std::vector<int> ports_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::unique_ptr<Impl> impl_;
};

class MultiportSyslogTcpSource : public SyslogTcpSource {
 public:
  MultiportSyslogTcpSource(const std::string& name, Context& ctx) : SyslogTcpSource(name, ctx, true) {}
};

}  // namespace sluice
