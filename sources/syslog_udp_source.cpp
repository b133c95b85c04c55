#include "sources/syslog_udp_source.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <thread>

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
  // recvmmsg: up to kBurst datagrams per system call (one call per datagram was most of the CPU at
  // high rates). Each slot has room for the largest UDP payload, so nothing is truncated.
  constexpr unsigned kBurst = 32;
  constexpr size_t kSlot = 65536;
  std::vector<char> buf(kBurst * kSlot);
  struct Slot {
    sockaddr_storage from;
    iovec iov;
    char control[CMSG_SPACE(sizeof(uint32_t))];
  };
  std::vector<Slot> slots(kBurst);
  std::vector<mmsghdr> msgs(kBurst);
  uint32_t last_drops = 0;
  std::map<std::string, std::string> host_cache;
  sockaddr_storage last_from{};
  socklen_t last_len = 0;
  char ip[INET6_ADDRSTRLEN] = "";
  Batch batch;
  RateLimit warn;
  // How many small datagrams the socket buffer holds (the kernel charges about 2 KiB per datagram
  // against SO_RCVBUF, whose value here is what the kernel granted, capped by net.core.rmem_max).
  int granted = 0;
  socklen_t glen = sizeof granted;
  getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &granted, &glen);
  const size_t buffer_dgrams = std::max<size_t>(64, static_cast<size_t>(granted) / 2048);
  using clock = std::chrono::steady_clock;
  constexpr double kLinger = 0.020;  // the longest a received datagram waits for its batch to fill
  double rate_est = 0;               // datagrams per second over the last batch
  clock::time_point batch_start{};
  while (!stop_) {
    if (batch.empty()) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
    }
    while (batch.size() < opts_.batch_size) {
      unsigned want = static_cast<unsigned>(std::min<size_t>(kBurst, opts_.batch_size - batch.size()));
      for (unsigned i = 0; i < want; ++i) {
        slots[i].iov = {buf.data() + i * kSlot, kSlot};
        msghdr& mh = msgs[i].msg_hdr;
        mh = {};
        mh.msg_name = &slots[i].from;
        mh.msg_namelen = sizeof slots[i].from;
        mh.msg_iov = &slots[i].iov;
        mh.msg_iovlen = 1;
        mh.msg_control = slots[i].control;
        mh.msg_controllen = sizeof slots[i].control;
      }
      int got = ::recvmmsg(fd_, msgs.data(), want, MSG_DONTWAIT, nullptr);
      if (got <= 0) break;
      if (batch.empty()) batch_start = clock::now();
      int64_t now = now_ms();
      for (int i = 0; i < got; ++i) {
        msghdr& mh = msgs[i].msg_hdr;
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
        const sockaddr_storage& from = slots[i].from;
        if (mh.msg_namelen != last_len || std::memcmp(&from, &last_from, mh.msg_namelen) != 0) {
          ip[0] = '\0';
          if (from.ss_family == AF_INET)
            inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&from)->sin_addr, ip, sizeof ip);
          else if (from.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&from)->sin6_addr, ip, sizeof ip);
          std::memcpy(&last_from, &from, mh.msg_namelen);
          last_len = mh.msg_namelen;
        }
        std::string hostname;
        if (!opts_.client_hostname_header.empty()) {
          auto it = host_cache.find(ip);
          if (it == host_cache.end()) {
            if (host_cache.size() > 10000) host_cache.clear();  // bounded
            it = host_cache.emplace(ip, syslog::reverse_lookup(ip)).first;
          }
          hostname = it->second;
        }
        std::string_view dgram(buf.data() + static_cast<size_t>(i) * kSlot, msgs[i].msg_len);
        if (!dgram.empty() && dgram.back() == '\n') dgram.remove_suffix(1);
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
      if (static_cast<unsigned>(got) < want) break;  // the socket is drained for now
    }
    if (batch.empty()) continue;
    // The socket is drained and the batch is not full: rather than a transaction (a context switch,
    // and the sink's fsync) per few datagrams, let datagrams gather for up to kLinger (the latency
    // this can add), in pauses short enough that the receive buffer cannot fill at the recent rate
    // (a quarter of it, at most 1 ms per pause). Flume's UDP source commits every datagram alone.
    double age = std::chrono::duration<double>(clock::now() - batch_start).count();
    if (batch.size() >= opts_.batch_size || age >= kLinger || stop_) {
      rate_est = static_cast<double>(batch.size()) / std::max(age, 1e-4);
      deliver(batch);
      continue;
    }
    double rate = std::max({rate_est, static_cast<double>(batch.size()) / std::max(age, 1e-3), 1.0});
    double pause = std::min({kLinger - age, 0.001, 0.25 * static_cast<double>(buffer_dgrams) / rate});
    if (pause > 50e-6) std::this_thread::sleep_for(std::chrono::duration<double>(pause));
  }
}

}  // namespace sluice
