#include "agent/avro/rpc_client.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::avro {
namespace {
int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}
}  // namespace

void RpcClient::connect() {
  close();
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo(o_.host.c_str(), std::to_string(o_.port).c_str(), &hints, &res);
  if (rc != 0) throw RpcError("cannot resolve " + o_.host + ": " + gai_strerror(rc));
  auto deadline = std::chrono::steady_clock::now() + o_.connect_timeout;
  std::string last = "no address";
  for (addrinfo* a = res; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = std::strerror(errno);
      ::close(fd);
      continue;
    }
    pollfd p{fd, POLLOUT, 0};
    int pr = ::poll(&p, 1, remaining_ms(deadline));
    int err = 0;
    socklen_t len = sizeof err;
    if (pr <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
      last = pr == 0 ? "connect timeout" : std::strerror(err ? err : errno);
      ::close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fd_ = fd;
    break;
  }
  freeaddrinfo(res);
  if (fd_ < 0) throw RpcError("cannot connect to " + o_.host + ":" + std::to_string(o_.port) + ": " + last);
  handshaken_ = false;
  pending_.clear();
  if (o_.deflate) {
    deflater_ = std::make_unique<Deflater>(o_.level);
    inflater_ = std::make_unique<Inflater>();
  }
}

void RpcClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  handshaken_ = false;
  deflater_.reset();
  inflater_.reset();
}

void RpcClient::send_all(const std::string& data, std::chrono::steady_clock::time_point deadline) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) throw RpcError(std::string("send failed: ") + std::strerror(errno));
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) throw RpcError("request timeout while sending");
  }
}

std::string RpcClient::receive_frame(std::chrono::steady_clock::time_point deadline) {
  FrameReader reader(o_.max_response);
  while (true) {
    if (!pending_.empty()) {
      size_t used = 0;
      bool done = reader.feed(pending_, used);
      pending_.erase(0, used);
      if (done) return reader.take().second;
    }
    pollfd p{fd_, POLLIN, 0};
    int pr = ::poll(&p, 1, remaining_ms(deadline));
    if (pr == 0) throw RpcError("request timeout waiting for the response");
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0) throw RpcError("connection closed by the server");
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      throw RpcError(std::string("receive failed: ") + std::strerror(errno));
    }
    pending_ += inflater_ ? inflater_->decompress(std::string_view(buf, static_cast<size_t>(n)), o_.max_response)
                          : std::string(buf, static_cast<size_t>(n));
  }
}

Status RpcClient::append_batch(const Batch& events) {
  if (fd_ < 0) connect();
  auto deadline = std::chrono::steady_clock::now() + o_.request_timeout;
  try {
    std::string payload;
    Encoder enc(payload);
    bool first = !handshaken_;
    if (first)
      write_handshake_request(enc, {flume_protocol_md5(), flume_protocol_json(), flume_protocol_md5()});
    write_call_request(enc, "appendBatch", events);
    std::string frame = encode_frame(++serial_, payload);
    send_all(deflater_ ? deflater_->compress(frame) : frame, deadline);
    std::string reply = receive_frame(deadline);
    Decoder dec(reply, o_.max_response);
    if (first) {
      auto hs = read_handshake_response(dec);
      if (hs.match == HandshakeMatch::None)
        throw RpcError("the server did not accept Flume's protocol (handshake NONE)");
      handshaken_ = true;
    }
    return read_status_response(dec);
  } catch (const RpcError&) {
    close();
    throw;
  } catch (const std::exception& e) {
    close();
    throw RpcError(std::string("protocol error: ") + e.what());
  }
}

}  // namespace sluice::avro
