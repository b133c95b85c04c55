// Flume type: syslogudp (org.apache.flume.source.SyslogUDPSource)
// Keys: host (0.0.0.0), port (required), keepFields (none), clientIPHeader, clientHostnameHeader,
// eventSize (2500), batchSize (100), readBufferSize (socket receive buffer, 4 MiB here).
// One datagram is one message (Flume drops what follows an embedded newline; sluice keeps the whole
// datagram, and a datagram over eventSize becomes an Incomplete event plus the rest, as on TCP).
// UDP cannot push back: while the channel is full the socket is not read, and datagrams the kernel
// then drops are counted (UdpDropCount, from the kernel's per-socket counter).
#pragma once
#include <atomic>
#include <thread>

#include "agent/source.hpp"
#include "sources/syslog/syslog_options.hpp"

namespace sluice {

class SyslogUdpSource : public Source {
 public:
  SyslogUdpSource(const std::string& name, Context& ctx);
  ~SyslogUdpSource() override;
  void start() override;
  void stop() override;
  int bound_port() const { return bound_port_; }

 private:
  void run();
  void deliver(Batch& batch);
  syslog::Options opts_;
  int port_;
  int bound_port_ = -1;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  Counter& drops_;
  Counter& invalid_;
  Counter& incomplete_;
};

}  // namespace sluice
