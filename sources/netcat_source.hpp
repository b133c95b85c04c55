// Flume type: netcat (org.apache.flume.source.NetcatSource)
// Keys: bind (required), port (required), max-line-length (512), ack-every-event (true),
// maxConnections (64; sluice).
// Each newline-terminated line is an event. With ack-every-event the client gets "OK" once the event
// is committed, or "FAILED: <reason>" (channel full or a line longer than max-line-length, whose
// bytes are discarded up to the next newline), as in Flume. Without acks a full channel is retried
// (the connection stops being read) instead of dropping the line.
#pragma once
#include <atomic>
#include <list>
#include <mutex>
#include <thread>

#include "agent/source.hpp"

namespace sluice {

class NetcatSource : public Source {
 public:
  NetcatSource(const std::string& name, Context& ctx);
  ~NetcatSource() override;
  void start() override;
  void stop() override;
  int port() const { return bound_port_; }

 private:
  void accept_loop();
  void serve(int fd);
  bool deliver(int fd, std::string line);
  bool reject_long_line(int fd);

  std::string bind_;
  int port_;
  size_t max_line_;
  bool ack_;
  int max_connections_;
  int listen_fd_ = -1;
  int bound_port_ = -1;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::list<std::pair<int, std::thread>> clients_;
};

}  // namespace sluice
