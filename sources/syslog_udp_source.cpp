#include "sources/syslog_udp_source.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <map>

namespace sluice {

SyslogUdpSource::SyslogUdpSource(const std::string& name, Context& ctx)
    : Source(name),
      drops_(counters_.group->counter("UdpDropCount")),
      invalid_(counters_.group->counter("InvalidEventCount")),
      incomplete_(counters_.group->counter("IncompleteEventCount")) {
  opts_.read(ctx, false, false);
  port_ = static_cast<int>(ctx.get_int("port", -1, "(required) port to listen on", 0, 65535));
  if (port_ < 0) ctx.error("port", "is required for syslogudp source " + name + " (expected a port number)");
}

SyslogUdpSource::~SyslogUdpSource() { stop(); }

void SyslogUdpSource::start() {
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_PASSIVE;
  int rc = getaddrinfo(opts_.host.c_str(), std::to_string(port_).c_str(), &hints, &res);
  if (rc != 0) throw std::runtime_error("cannot resolve host '" + opts_.host + "': " + gai_strerror(rc));
  fd_ = ::socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int one = 1, rcvbuf = static_cast<int>(std::max<size_t>(opts_.read_buffer, 4u << 20));
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  setsockopt(fd_, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);  // kernel drop counter in each recvmsg
  if (::bind(fd_, res->ai_addr, res->ai_addrlen) != 0) {
    std::string err = std::strerror(errno);
    freeaddrinfo(res);
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("cannot bind UDP " + opts_.host + ":" + std::to_string(port_) + ": " + err);
  }
  freeaddrinfo(res);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len);
  bound_port_ = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                               : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  stop_ = false;
  counters_.group->mark_start();
  thread_ = std::thread([this] { run(); });
  SLUICE_LOG(Info, name_) << "syslog UDP listening on " << opts_.host << ":" << bound_port_;
}

void SyslogUdpSource::stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
  ::close(fd_);
  fd_ = -1;
  counters_.group->mark_stop();
}

void SyslogUdpSource::deliver(Batch& batch) {
  RateLimit warn;
  while (!batch.empty() && !stop_) {
    size_t n = batch.size();
    try {
      processor().process_keeping(batch);  // a refused batch comes back in batch
      counters_.events_accepted.inc(static_cast<int64_t>(n));
    } catch (const ChannelException& e) {
      counters_.channel_write_fail.inc();
      if (warn.allow()) SLUICE_LOG(Warn, name_) << "channel full, not reading UDP meanwhile: " << e.what();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void SyslogUdpSource::run() {
  std::vector<char> buf(65536);
  char control[CMSG_SPACE(sizeof(uint32_t))];
  uint32_t last_drops = 0;
  std::map<std::string, std::string> host_cache;
  Batch batch;
  RateLimit warn;
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    while (batch.size() < opts_.batch_size) {
      sockaddr_storage from{};
      iovec iov{buf.data(), buf.size()};
      msghdr mh{};
      mh.msg_name = &from;
      mh.msg_namelen = sizeof from;
      mh.msg_iov = &iov;
      mh.msg_iovlen = 1;
      mh.msg_control = control;
      mh.msg_controllen = sizeof control;
      ssize_t n = ::recvmsg(fd_, &mh, MSG_DONTWAIT);
      if (n < 0) break;
      for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
          uint32_t total;
          std::memcpy(&total, CMSG_DATA(c), sizeof total);
          if (total > last_drops) {
            drops_.inc(total - last_drops);
            if (warn.allow()) SLUICE_LOG(Warn, name_) << "kernel dropped " << (total - last_drops) << " datagrams";
          }
          last_drops = total;
        }
      }
      char ip[INET6_ADDRSTRLEN] = "";
      if (from.ss_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&from)->sin_addr, ip, sizeof ip);
      else if (from.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr, ip, sizeof ip);
      std::string hostname;
      if (!opts_.client_hostname_header.empty()) {
        auto it = host_cache.find(ip);
        if (it == host_cache.end()) {
          if (host_cache.size() > 10000) host_cache.clear();  // bounded
          it = host_cache.emplace(ip, syslog::reverse_lookup(ip)).first;
        }
        hostname = it->second;
      }
      std::string_view dgram(buf.data(), static_cast<size_t>(n));
      if (!dgram.empty() && dgram.back() == '\n') dgram.remove_suffix(1);
      int64_t now = now_ms();
      for (size_t off = 0; off < dgram.size() || off == 0; off += opts_.event_size) {
        std::string_view piece = dgram.substr(off, opts_.event_size);
        bool cut = off + opts_.event_size < dgram.size();
        Event e = syslog::parse_message(piece, cut, opts_.keep, now);
        if (cut) incomplete_.inc();
        else if (e.headers.contains(syslog::kStatusHeader)) invalid_.inc();
        syslog::add_client_headers(e, opts_, ip, hostname, bound_port_);
        batch.push_back(std::move(e));
        counters_.events_received.inc();
        if (dgram.empty()) break;
      }
    }
    deliver(batch);
  }
}

}  // namespace sluice
