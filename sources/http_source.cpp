#include "sources/http_source.hpp"

#include "agent/listen.hpp"
#include "agent/tls.hpp"
#include "agent/tls_stream.hpp"
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <thread>

namespace sluice {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

struct HttpSource::Server {
  struct Reply {
    bhttp::status status;
    std::string body;
  };

  HttpSource& source;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
  RateLimit fail_log;
  Counter& tls_failed;

  explicit Server(HttpSource& s) : source(s), tls_failed(s.counters_.group->counter("TlsHandshakeFailCount")) {}
  void accept();
  Reply serve(const http::Request& req);
};

namespace {

// One connection: read a request, answer it, repeat while keep-alive (Beast's async server shape).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket s, asio::ssl::context* tls, HttpSource::Server& server, size_t limit, int idle_s, Counter& open)
      : stream_(beast::tcp_stream(std::move(s)), tls), server_(server), limit_(limit), idle_s_(idle_s), open_(open) {
    open_.inc();
  }
  ~Session() { open_.inc(-1); }

  // HTTPS: the TLS handshake first, within the idle timeout.
  void start() {
    if (!stream_.is_tls()) return read();
    stream_.plain().expires_after(std::chrono::seconds(idle_s_));
    stream_.async_handshake([self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        if (!is_tls_probe(ec)) self->server_.tls_failed.inc();
        if (!is_tls_probe(ec) && self->server_.fail_log.allow())
          SLUICE_LOG(Warn, self->server_.source.name()) << "TLS handshake failed: " << ec.message();
        return self->close();
      }
      self->read();
    });
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(limit_);
    parser_->header_limit(64 * 1024);
    stream_.plain().expires_after(std::chrono::seconds(idle_s_));
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::ssl::error::stream_truncated)
      return close();
    if (ec == bhttp::error::body_limit) return write({bhttp::status::payload_too_large, "request body too large\n"}, false);
    if (ec) return write({bhttp::status::bad_request, "Bad request from client. " + ec.message() + "\n"}, false);
    auto& msg = parser_->get();
    http::Request req{std::string(msg.method_string()), std::string(msg.target()),
                      std::string(msg[bhttp::field::content_type]), std::move(msg.body())};
    bool keep = msg.keep_alive();
    // serve() may block up to the channel's keep-alive; `threads` io threads keep others going.
    write(server_.serve(req), keep);
  }

  void write(HttpSource::Server::Reply r, bool keep_alive) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(r.status, 11);
    res->set(bhttp::field::server, "sluice");
    res->set(bhttp::field::content_type, "text/plain; charset=utf-8");
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec || !res->keep_alive()) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  MaybeTlsStream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  HttpSource::Server& server_;
  size_t limit_;
  int idle_s_;
  Counter& open_;
};

}  // namespace

void HttpSource::Server::accept() {
  acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket sock) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec)
      std::make_shared<Session>(std::move(sock), source.tls_.get(), *this, source.max_request_,
                                source.idle_timeout_s_, source.counters_.open_connections)
          ->start();
    accept();
  });
}

HttpSource::Server::Reply HttpSource::Server::serve(const http::Request& req) {
  if (req.method != "POST" && req.method != "GET") return {bhttp::status::method_not_allowed, "use POST\n"};
  Batch events;
  try {
    events = source.handler_->events(req);
  } catch (const http::BadRequest& e) {
    source.counters_.event_read_fail.inc();
    if (fail_log.allow()) SLUICE_LOG(Warn, source.name()) << "bad request: " << e.what();
    return {bhttp::status::bad_request, std::string("Bad request from client. ") + e.what() + "\n"};
  }
  size_t n = events.size();
  source.counters_.append_batch_received.inc();
  source.counters_.events_received.inc(static_cast<int64_t>(n));
  if (n > 0) {
    try {
      source.processor().process(std::move(events));
    } catch (const ChannelException& e) {
      source.counters_.channel_write_fail.inc();
      if (fail_log.allow()) SLUICE_LOG(Warn, source.name()) << "channel full, answering 503: " << e.what();
      return {bhttp::status::service_unavailable,
              std::string("Error appending event to channel. Channel might be full. ") + e.what() + "\n"};
    } catch (const std::exception& e) {
      source.counters_.generic_processing_fail.inc();
      SLUICE_LOG(Error, source.name()) << "processing failed: " << e.what();
      return {bhttp::status::internal_server_error, std::string(e.what()) + "\n"};
    }
  }
  source.counters_.append_batch_accepted.inc();
  source.counters_.events_accepted.inc(static_cast<int64_t>(n));
  return {bhttp::status::ok, ""};
}

HttpSource::HttpSource(const std::string& name, Context& ctx) : Source(name) {
  bind_ = ctx.get_string("bind", "0.0.0.0", "address to listen on");
  port_ = static_cast<int>(ctx.get_int("port", -1, "(required) port to listen on", 0, 65535));
  if (port_ < 0) ctx.error("port", "is required for http source " + name + " (expected a port number)");
  std::string handler = ctx.get_string("handler", "org.apache.flume.source.http.JSONHandler",
                                       "request handler: JSONHandler (array of {headers, body}) or BLOBHandler");
  threads_ = static_cast<int>(ctx.get_int("threads", 4, "threads serving requests", 1, 256));
  max_request_ = static_cast<size_t>(
      ctx.get_int("maxRequestBytes", 64LL << 20, "largest accepted request body, bytes (413 above)", 1));
  idle_timeout_s_ = static_cast<int>(ctx.get_int("idleTimeout", 60, "seconds an idle connection stays open", 1));
  tls_ = tls::server_context(ctx);
  handler_ = http::make_handler(handler, ctx.sub("handler."));
  if (!handler_)
    ctx.error("handler", "'" + handler +
                             "' is not a handler (expected org.apache.flume.source.http.JSONHandler or "
                             "org.apache.flume.source.http.BLOBHandler)");
}

HttpSource::~HttpSource() { stop(); }

void HttpSource::start() {
  server_ = std::make_unique<Server>(*this);
  open_listener(server_->acceptor, bind_, port_);
  server_->accept();
  for (int i = 0; i < threads_; ++i) server_->threads.emplace_back([this] { server_->io.run(); });
  counters_.group->mark_start();
  SLUICE_LOG(Info, name_) << (tls_ ? "https source listening on " : "http source listening on ") << bind_ << ":" << port();
}

void HttpSource::stop() {
  if (!server_) return;
  server_->io.stop();
  for (auto& t : server_->threads) t.join();
  server_.reset();
  counters_.group->mark_stop();
}

int HttpSource::port() const { return server_ ? server_->acceptor.local_endpoint().port() : port_; }

}  // namespace sluice
