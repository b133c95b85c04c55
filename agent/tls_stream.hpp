// A server-side connection that is plain TCP or TLS, chosen per listener: sessions are written once
// against this stream (async_read_some / async_write_some, usable with asio::async_write and Beast).
// Plain is the lower layer: asio's tcp::socket, or beast::tcp_stream where Beast's timeouts are used.
#pragma once
#include <boost/asio/ssl.hpp>
#include <utility>
#include <variant>

namespace sluice {

// A handshake that ended because the client closed before saying anything (port probes, health
// checks): not worth a warning or a failure count.
inline bool is_tls_probe(const boost::system::error_code& ec) {
  return ec == boost::asio::ssl::error::stream_truncated || ec == boost::asio::error::eof;
}

template <class Plain>
class MaybeTlsStream {
 public:
  using executor_type = typename Plain::executor_type;
  using Tls = boost::asio::ssl::stream<Plain>;

  // tls == nullptr: plain TCP.
  MaybeTlsStream(Plain&& plain, boost::asio::ssl::context* tls) : s_(make(std::move(plain), tls)) {}

  executor_type get_executor() { return plain().get_executor(); }
  bool is_tls() const { return s_.index() == 1; }
  Plain& plain() { return is_tls() ? std::get<1>(s_).next_layer() : std::get<0>(s_); }
  // The TCP socket underneath (for endpoints, shutdown and close).
  auto& socket() {
    if constexpr (requires(Plain& p) { p.socket(); }) return plain().socket();
    else return plain();
  }
  // The OpenSSL connection (after the handshake: peer certificate, protocol), or nullptr.
  SSL* native_handle() { return is_tls() ? std::get<1>(s_).native_handle() : nullptr; }

  // Server handshake; completes at once, successfully, for plain TCP.
  template <class Handler>
  void async_handshake(Handler&& h) {
    if (is_tls()) return std::get<1>(s_).async_handshake(boost::asio::ssl::stream_base::server, std::forward<Handler>(h));
    boost::asio::post(get_executor(), [h = std::forward<Handler>(h)]() mutable { h(boost::system::error_code{}); });
  }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& b, Token&& t) {
    return std::visit([&](auto& s) { return s.async_read_some(b, std::forward<Token>(t)); }, s_);
  }
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& b, Token&& t) {
    return std::visit([&](auto& s) { return s.async_write_some(b, std::forward<Token>(t)); }, s_);
  }

 private:
  static std::variant<Plain, Tls> make(Plain&& p, boost::asio::ssl::context* tls) {
    if (tls) return std::variant<Plain, Tls>(std::in_place_index<1>, std::move(p), *tls);
    return std::variant<Plain, Tls>(std::in_place_index<0>, std::move(p));
  }
  std::variant<Plain, Tls> s_;
};

}  // namespace sluice
