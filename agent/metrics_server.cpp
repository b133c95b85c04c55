#include "agent/metrics_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

#include "agent/log.hpp"
#include "agent/tls_stream.hpp"

namespace sluice {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket s, MetricsRegistry& r, asio::ssl::context* tls)
      : stream_(beast::tcp_stream(std::move(s)), tls), registry_(r) {}
  void run() {
    stream_.plain().expires_after(std::chrono::seconds(10));
    stream_.async_handshake([self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        if (!is_tls_probe(ec)) SLUICE_LOG(Debug, "metrics") << "TLS handshake failed: " << ec.message();
        beast::error_code ignored;
        return void(self->stream_.socket().close(ignored));
      }
      http::async_read(self->stream_, self->buffer_, self->request_, [self](beast::error_code ec, size_t) {
        if (!ec) self->respond();
      });
    });
  }

 private:
  void respond() {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(request_.version());
    res->keep_alive(false);
    std::string target(request_.target());
    if (auto q = target.find('?'); q != std::string::npos) target.resize(q);
    if (request_.method() != http::verb::get && request_.method() != http::verb::head) {
      res->result(http::status::method_not_allowed);
      res->set(http::field::allow, "GET, HEAD");
      res->body() = "only GET\n";
    } else if (target == "/metrics") {
      res->result(http::status::ok);
      res->set(http::field::content_type, "application/json;charset=utf-8");
      res->body() = registry_.to_json();
    } else if (target == "/prometheus") {
      res->result(http::status::ok);
      res->set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      res->body() = registry_.to_prometheus();
    } else {
      res->result(http::status::not_found);
      res->set(http::field::content_type, "text/plain");
      res->body() = "not found: try /metrics or /prometheus\n";
    }
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  MaybeTlsStream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  MetricsRegistry& registry_;
};

}  // namespace

struct MetricsServer::Impl {
  MetricsRegistry& registry;
  std::string bind;
  int port;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::shared_ptr<asio::ssl::context> tls;

  Impl(MetricsRegistry& r, std::string b, int p, std::shared_ptr<asio::ssl::context> t)
      : registry(r), bind(std::move(b)), port(p), tls(std::move(t)) {}

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec == asio::error::operation_aborted) return;
      } else {
        std::make_shared<Session>(std::move(s), registry, tls.get())->run();
      }
      accept();
    });
  }
};

MetricsServer::MetricsServer(MetricsRegistry& registry, std::string bind, int port,
                             std::shared_ptr<asio::ssl::context> tls)
    : impl_(std::make_unique<Impl>(registry, std::move(bind), port, std::move(tls))) {}

MetricsServer::~MetricsServer() { stop(); }

void MetricsServer::start() {
  beast::error_code ec;
  auto addr = asio::ip::make_address(impl_->bind, ec);
  if (ec) throw std::runtime_error("metrics bind address '" + impl_->bind + "' is not an IP address");
  tcp::endpoint ep(addr, static_cast<unsigned short>(impl_->port));
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep, ec);
  if (ec)
    throw std::runtime_error("cannot listen for metrics on " + impl_->bind + ":" + std::to_string(impl_->port) + ": " +
                             ec.message());
  impl_->acceptor.listen();
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
  SLUICE_LOG(Info, "metrics") << "serving /metrics and /prometheus on " << (impl_->tls ? "https" : "http") << "://"
                              << impl_->bind << ":" << port();
}

void MetricsServer::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->io.stop();
  impl_->thread.join();
}

int MetricsServer::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace sluice
