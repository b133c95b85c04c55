// A scriptable HTTP/1.1 server on 127.0.0.1 (free port) for unit tests of the S3 client and the
// IMDS credentials provider: a handler answers each request, or hangs, or drops the connection.
#pragma once
#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sluice::test {

class FakeHttpServer {
 public:
  struct Request {
    std::string method, target, body;
    std::map<std::string, std::string> headers;  // lower-case names
  };
  struct Reply {
    enum Action { Respond, Hang, Close };
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    Action action = Respond;
  };
  using Handler = std::function<Reply(const Request&)>;

  explicit FakeHttpServer(Handler h) : handler_(std::move(h)), acceptor_(ioc_) {
    namespace ip = boost::asio::ip;
    ip::tcp::endpoint ep(ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~FakeHttpServer() {
    {
      std::lock_guard l(mu_);
      stopping_ = true;
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    cv_.notify_all();
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    accept_thread_.join();
    for (auto& t : conn_threads_) t.join();
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }
  std::vector<Request> requests() {
    std::lock_guard l(mu_);
    return requests_;
  }

 private:
  void accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      auto sock = std::make_shared<boost::asio::ip::tcp::socket>(ioc_);
      acceptor_.accept(*sock, ec);
      std::lock_guard l(mu_);
      if (ec || stopping_) return;
      open_fds_.push_back(sock->native_handle());
      conn_threads_.emplace_back([this, sock] { serve(*sock); });
    }
  }

  void serve(boost::asio::ip::tcp::socket& sock) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buf;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);  // Beast's default (1 MiB) is below S3's smallest part
      boost::system::error_code ec;
      http::read(sock, buf, parser, ec);
      if (ec) return;
      auto req = parser.release();
      Request r{std::string(req.method_string()), std::string(req.target()), req.body(), {}};
      for (const auto& f : req) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(f.value());
      }
      {
        std::lock_guard l(mu_);
        requests_.push_back(r);
      }
      Reply rep = handler_(r);
      if (rep.action == Reply::Close) {
        sock.close(ec);
        return;
      }
      if (rep.action == Reply::Hang) {
        std::unique_lock l(mu_);
        cv_.wait(l, [&] { return stopping_; });
        return;
      }
      http::response<http::string_body> res{static_cast<http::status>(rep.status), 11};
      for (auto& [k, v] : rep.headers) res.set(k, v);
      res.body() = rep.body;
      res.prepare_payload();
      http::write(sock, res, ec);
      if (ec) return;
    }
  }

  Handler handler_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread accept_thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<int> open_fds_;
  std::vector<std::thread> conn_threads_;
  std::vector<Request> requests_;
};

}  // namespace sluice::test
