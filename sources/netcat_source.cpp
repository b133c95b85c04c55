#include "sources/netcat_source.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace sluice {

NetcatSource::NetcatSource(const std::string& name, Context& ctx) : Source(name) {
  bind_ = ctx.require_string("bind", "address to listen on");
  port_ = static_cast<int>(ctx.get_int("port", -1, "(required) port to listen on", 0, 65535));
  if (port_ < 0) ctx.error("port", "is required for netcat source " + name + " (expected a port number)");
  max_line_ = static_cast<size_t>(ctx.get_int("max-line-length", 512, "longest line in bytes, newline included", 1));
  ack_ = ctx.get_bool("ack-every-event", true, "answer OK (or FAILED) for every line");
  max_connections_ = static_cast<int>(ctx.get_int("maxConnections", 64, "most simultaneous clients", 1));
}

NetcatSource::~NetcatSource() { stop(); }

void NetcatSource::start() {
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  int rc = getaddrinfo(bind_.c_str(), std::to_string(port_).c_str(), &hints, &res);
  if (rc != 0) throw std::runtime_error("cannot resolve " + bind_ + ": " + gai_strerror(rc));
  listen_fd_ = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, res->ai_addr, res->ai_addrlen) != 0 || ::listen(listen_fd_, 64) != 0) {
    std::string err = std::strerror(errno);
    freeaddrinfo(res);
    ::close(listen_fd_);
    listen_fd_ = -1;
    throw std::runtime_error("cannot listen on " + bind_ + ":" + std::to_string(port_) + ": " + err);
  }
  freeaddrinfo(res);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len);
  bound_port_ = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                               : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  stop_ = false;
  counters_.group->mark_start();
  acceptor_ = std::thread([this] { accept_loop(); });
  SLUICE_LOG(Info, name_) << "netcat source listening on " << bind_ << ":" << bound_port_;
}

void NetcatSource::stop() {
  if (!acceptor_.joinable()) return;
  stop_ = true;
  acceptor_.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
  std::list<std::pair<int, std::thread>> clients;
  {
    std::lock_guard l(mu_);
    clients.swap(clients_);
  }
  for (auto& [fd, t] : clients) {
    ::shutdown(fd, SHUT_RDWR);
    t.join();
    ::close(fd);
  }
  counters_.group->mark_stop();
}

void NetcatSource::accept_loop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard l(mu_);
    if (static_cast<int>(clients_.size()) >= max_connections_) {
      static const char kBusy[] = "FAILED: too many connections\n";
      (void)!::write(fd, kBusy, sizeof kBusy - 1);
      ::close(fd);
      continue;
    }
    clients_.emplace_back(fd, std::thread());
    auto it = std::prev(clients_.end());
    it->second = std::thread([this, fd] { serve(fd); });
  }
}

bool NetcatSource::deliver(int fd, std::string line) {
  counters_.events_received.inc();
  while (!stop_) {
    try {
      processor().process(Event(std::move(line)));
      counters_.events_accepted.inc();
      if (ack_) return ::write(fd, "OK\n", 3) == 3;
      return true;
    } catch (const ChannelException& e) {
      counters_.channel_write_fail.inc();
      if (ack_) {
        std::string msg = std::string("FAILED: ") + e.what() + "\n";
        return ::write(fd, msg.data(), msg.size()) == static_cast<ssize_t>(msg.size());
      }
      // No ack to tell the client: hold the line and stop reading until the channel has room.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return false;
}

bool NetcatSource::reject_long_line(int fd) {
  counters_.event_read_fail.inc();
  SLUICE_LOG(Warn, name_) << "client sent a line longer than max-line-length " << max_line_ << "; discarded";
  std::string msg =
      "FAILED: Event exceeds the maximum length (" + std::to_string(max_line_) + " chars, including newline)\n";
  return ::write(fd, msg.data(), msg.size()) == static_cast<ssize_t>(msg.size());
}

void NetcatSource::serve(int fd) {
  counters_.open_connections.inc();
  std::string buf;
  char chunk[4096];
  bool discarding = false;
  while (!stop_) {
    pollfd p{fd, POLLIN, 0};
    int pr = ::poll(&p, 1, 200);
    if (pr == 0) continue;
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
    size_t start = 0;
    bool ok = true;
    for (size_t nl; ok && (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (discarding) {
        discarding = false;
        continue;
      }
      if (nl - start + 1 > max_line_) {
        ok = reject_long_line(fd);
        continue;
      }
      std::string line = buf.substr(start, nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      ok = deliver(fd, std::move(line));
    }
    buf.erase(0, start);
    if (!ok) break;
    if (discarding) {
      buf.clear();  // still inside the over-long line: already answered FAILED
    } else if (buf.size() >= max_line_) {  // no newline within max-line-length bytes
      if (!reject_long_line(fd)) break;
      buf.clear();
      discarding = true;
    }
  }
  counters_.open_connections.inc(-1);
  // The thread that ends first owns the socket: this one (client went away) or stop().
  std::lock_guard l(mu_);
  for (auto it = clients_.begin(); it != clients_.end(); ++it) {
    if (it->first == fd) {
      it->second.detach();
      clients_.erase(it);
      ::close(fd);
      return;
    }
  }
}

}  // namespace sluice
