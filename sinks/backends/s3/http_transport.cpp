#include "sinks/backends/s3/http_transport.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace sluice::s3 {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string Endpoint::host_header() const {
  bool default_port = (tls && port == "443") || (!tls && port == "80");
  return default_port ? host : host + ":" + port;
}

Endpoint Endpoint::parse(const std::string& url) {
  Endpoint ep;
  std::string rest;
  if (url.starts_with("https://")) {
    ep.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    ep.tls = false;
    rest = url.substr(7);
  } else {
    throw std::invalid_argument("endpoint '" + url + "' must start with http:// or https://");
  }
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    if (rest.substr(slash) != "/") throw std::invalid_argument("endpoint '" + url + "' must not have a path");
    rest.resize(slash);
  }
  auto colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']') == std::string::npos) {
    ep.host = rest.substr(0, colon);
    ep.port = rest.substr(colon + 1);
  } else {
    ep.host = rest;
    ep.port = ep.tls ? "443" : "80";
  }
  if (ep.host.empty() || ep.port.empty() || ep.port.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("endpoint '" + url + "' has no valid host:port");
  return ep;
}

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (beast::iequals(k, name)) return v;
  return {};
}

struct HttpTransport::Impl {
  asio::io_context ioc;
  std::optional<asio::ssl::context> ssl_ctx;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  bool connected = false;

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  void reset() {
    connected = false;
    beast::error_code ignored;
    if (secure) beast::get_lowest_layer(*secure).socket().close(ignored);
    if (plain) plain->socket().close(ignored);
    secure.reset();
    plain.reset();
  }

  // Runs queued async work until it completes or the stream's deadline fires.
  void run() {
    ioc.restart();
    ioc.run();
  }
};

HttpTransport::HttpTransport(Endpoint ep, TransportOptions opts)
    : ep_(std::move(ep)), opts_(std::move(opts)), impl_(std::make_unique<Impl>()) {
  if (ep_.tls) {
    impl_->ssl_ctx.emplace(asio::ssl::context::tls_client);
    if (opts_.verify_tls) {
      impl_->ssl_ctx->set_verify_mode(asio::ssl::verify_peer);
      if (opts_.ca_file.empty()) impl_->ssl_ctx->set_default_verify_paths();
      else impl_->ssl_ctx->load_verify_file(opts_.ca_file);
    } else {
      impl_->ssl_ctx->set_verify_mode(asio::ssl::verify_none);
    }
  }
}

HttpTransport::~HttpTransport() = default;

HttpResponse HttpTransport::send(const HttpRequest& req) {
  auto& m = *impl_;
  beast::error_code ec;
  auto fail = [&](const std::string& what) -> TransportError {
    m.reset();
    return TransportError(what + " " + ep_.host_header() + ": " +
                          (ec == beast::error::timeout ? std::string("timed out") : ec.message()));
  };
  if (!m.connected) {
    m.reset();
    tcp::resolver resolver(m.ioc);
    auto results = resolver.resolve(ep_.host, ep_.port, ec);
    if (ec) throw fail("cannot resolve");
    if (ep_.tls) {
      m.secure.emplace(m.ioc, *m.ssl_ctx);
      if (!SSL_set_tlsext_host_name(m.secure->native_handle(), ep_.host.c_str()))
        throw TransportError("TLS: cannot set SNI host name " + ep_.host);
      if (opts_.verify_tls) m.secure->set_verify_callback(asio::ssl::host_name_verification(ep_.host));
    } else {
      m.plain.emplace(m.ioc);
    }
    m.lowest().expires_after(opts_.timeout);
    m.lowest().async_connect(results, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    m.run();
    if (ec) throw fail("cannot connect to");
    if (ep_.tls) {
      m.lowest().expires_after(opts_.timeout);
      m.secure->async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
      m.run();
      if (ec) {
        // A certificate that does not verify will not verify on a retry either.
        bool cert = ec.category() == asio::error::get_ssl_category() &&
                    ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED;
        TransportError e = fail("TLS handshake failed with");
        if (cert) throw CertificateError(e.what());
        throw e;
      }
    }
    m.connected = true;
  }

  http::request<http::buffer_body> hreq;
  hreq.method_string(req.method);
  hreq.target(req.target);
  hreq.version(11);
  for (const auto& [k, v] : req.headers) hreq.set(k, v);
  hreq.body().data = const_cast<char*>(req.body.data());
  hreq.body().size = req.body.size();
  hreq.body().more = false;
  hreq.content_length(req.body.size());

  http::response_parser<http::string_body> parser;
  parser.body_limit(opts_.max_response_bytes);
  if (req.method == "HEAD") parser.skip(true);
  beast::flat_buffer buffer;
  m.lowest().expires_after(opts_.timeout);
  auto on_read = [&](beast::error_code e, size_t) { ec = e; };
  auto on_write = [&](beast::error_code e, size_t) {
    ec = e;
    if (e) return;
    m.lowest().expires_after(opts_.timeout);
    if (m.secure) http::async_read(*m.secure, buffer, parser, on_read);
    else http::async_read(*m.plain, buffer, parser, on_read);
  };
  if (m.secure) http::async_write(*m.secure, hreq, on_write);
  else http::async_write(*m.plain, hreq, on_write);
  m.run();
  if (ec) throw fail(std::string(req.method) + " " + "request to");

  auto res = parser.release();
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(res.body());
  if (!res.keep_alive()) m.reset();
  return out;
}

}  // namespace sluice::s3
