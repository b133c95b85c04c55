#include "agent/avro/rpc_client.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <mutex>
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
  if (o_.tls) {
    try {
      tls_handshake(deadline);
    } catch (...) {
      close();
      throw;
    }
  }
  handshaken_ = false;
  pending_.clear();
  if (o_.deflate) {
    deflater_ = std::make_unique<Deflater>(o_.level);
    inflater_ = std::make_unique<Inflater>();
  }
}

namespace {
std::string tls_error_text() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out.empty() ? std::string(std::strerror(errno)) : out;
}
bool is_ip_literal(const std::string& h) {
  unsigned char b[16];
  return inet_pton(AF_INET, h.c_str(), b) == 1 || inet_pton(AF_INET6, h.c_str(), b) == 1;
}
}  // namespace

void RpcClient::wait(bool for_write, std::chrono::steady_clock::time_point deadline, const char* what) {
  pollfd p{fd_, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
  int pr = ::poll(&p, 1, remaining_ms(deadline));
  if (pr == 0) throw RpcError(std::string("request timeout ") + what);
  if (pr < 0 && errno != EINTR) throw RpcError(std::string("poll failed: ") + std::strerror(errno));
}

void RpcClient::tls_handshake(std::chrono::steady_clock::time_point deadline) {
  // OpenSSL writes with write(2): a peer that went away would raise SIGPIPE (the agent ignores it
  // already; this keeps other users of the client, such as tests and avro-client, alive too).
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { signal(SIGPIPE, SIG_IGN); });
  ssl_ = SSL_new(o_.tls.get());
  if (!ssl_) throw RpcError("TLS setup failed: " + tls_error_text());
  SSL_set_fd(ssl_, fd_);
  bool ip = is_ip_literal(o_.host);
  if (!ip) SSL_set_tlsext_host_name(ssl_, o_.host.c_str());
  if (o_.verify_hostname) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    if (ip) X509_VERIFY_PARAM_set1_ip_asc(param, o_.host.c_str());
    else X509_VERIFY_PARAM_set1_host(param, o_.host.c_str(), 0);
  }
  while (true) {
    ERR_clear_error();
    int rc = SSL_connect(ssl_);
    if (rc == 1) return;
    int err = SSL_get_error(ssl_, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      wait(err == SSL_ERROR_WANT_WRITE, deadline, "during the TLS handshake");
      continue;
    }
    long v = SSL_get_verify_result(ssl_);
    if (v != X509_V_OK)
      throw RpcError("TLS: the certificate of " + o_.host + " is not trusted: " + X509_verify_cert_error_string(v) +
                     (v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH
                          ? " (ssl-verify-hostname = false accepts it, as Flume does)"
                          : ""));
    throw RpcError("TLS handshake with " + o_.host + " failed: " + tls_error_text());
  }
}

size_t RpcClient::read_some(char* buf, size_t n, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    if (ssl_) {
      ERR_clear_error();
      int rc = SSL_read(ssl_, buf, static_cast<int>(n));
      if (rc > 0) return static_cast<size_t>(rc);
      int err = SSL_get_error(ssl_, rc);
      if (err == SSL_ERROR_ZERO_RETURN) return 0;
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        wait(err == SSL_ERROR_WANT_WRITE, deadline, "waiting for the response");
        continue;
      }
      if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0) return 0;  // closed without close_notify
      throw RpcError("TLS receive failed: " + tls_error_text());
    }
    ssize_t r = ::recv(fd_, buf, n, 0);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno != EAGAIN && errno != EINTR) throw RpcError(std::string("receive failed: ") + std::strerror(errno));
    wait(false, deadline, "waiting for the response");
  }
}

bool RpcClient::peer_closed() const {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

void RpcClient::close() {
  if (ssl_) SSL_free(ssl_);
  ssl_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  handshaken_ = false;
  deflater_.reset();
  inflater_.reset();
}

void RpcClient::send_all(const std::string& data, std::chrono::steady_clock::time_point deadline) {
  size_t off = 0;
  while (ssl_ && off < data.size()) {
    ERR_clear_error();
    int rc = SSL_write(ssl_, data.data() + off, static_cast<int>(std::min<size_t>(data.size() - off, 1 << 30)));
    if (rc > 0) {
      off += static_cast<size_t>(rc);
      continue;
    }
    int err = SSL_get_error(ssl_, rc);
    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) throw RpcError("TLS send failed: " + tls_error_text());
    wait(err == SSL_ERROR_WANT_WRITE, deadline, "while sending");
  }
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
    char buf[65536];
    size_t n = read_some(buf, sizeof buf, deadline);
    if (n == 0) throw RpcError("connection closed by the server");
    pending_ += inflater_ ? inflater_->decompress(std::string_view(buf, n), o_.max_response)
                          : std::string(buf, n);
  }
}

Status RpcClient::append_batch(const Batch& events) {
  if (fd_ < 0) connect();
  auto deadline = std::chrono::steady_clock::now() + o_.request_timeout;
  try {
    // Encoded after room for the frame header, in a buffer kept between calls: a large batch is
    // neither copied into a frame nor written into freshly mapped (page-faulting) memory each time.
    request_.assign(kFrameHeader, '\0');
    Encoder enc(request_);
    bool first = !handshaken_;
    if (first)
      write_handshake_request(enc, {flume_protocol_md5(), flume_protocol_json(), flume_protocol_md5()});
    write_call_request(enc, "appendBatch", events);
    set_frame_header(request_, ++serial_);
    send_all(deflater_ ? deflater_->compress(request_) : request_, deadline);
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
