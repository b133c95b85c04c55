// http_load: a load generator for the http source (JSONHandler), in the spirit of wrk: C keep-alive
// connections, each POSTing JSON arrays of B events of ~S bytes until N events were accepted.
// A 503 (channel full) is retried after 1 ms, as a Flume client would; anything else but 200 is an
// error. Each request's events carry headers src=http_load, conn=<connection>, req=<request number>.
// Prints one JSON line: events, seconds, requests, retries_503, errors.
//   http_load HOST PORT EVENTS CONNECTIONS BATCH [BODY_BYTES]
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Replaced in every request by the request's number (same width), so a receiver can tell each
// request's events apart and find duplicates.
constexpr const char* kReqMark = "REQ0000000000";

void stamp(std::string& body, long n) {
  char num[24];
  std::snprintf(num, sizeof num, "%010ld", n % 10000000000L);
  for (size_t p = body.find("REQ"); p != std::string::npos; p = body.find("REQ", p + 13)) body.replace(p + 3, 10, num);
}

// A JSON array of `batch` events whose bodies look like proxy-log lines of about `size` bytes.
std::string make_batch(int conn, int batch, size_t size) {
  std::string out = "[";
  for (int i = 0; i < batch; ++i) {
    std::string body = "1764064800." + std::to_string(100 + i) + " " + std::to_string(17 * i % 900) + " 10." +
                       std::to_string(conn % 256) + "." + std::to_string(i % 256) +
                       ".7 TCP_MISS/200 5120 GET http://cdn" + std::to_string(i % 7) + ".example.com/assets/" +
                       std::to_string(i * 7919 % 100000) + ".js - HIER_DIRECT/93.184.216.34 application/javascript ";
    while (body.size() < size) body += 'x';
    out += std::string(i ? "," : "") + "{\"headers\":{\"src\":\"http_load\",\"conn\":\"" + std::to_string(conn) +
           "\",\"req\":\"" + kReqMark + "\"},\"body\":\"" + body + "\"}";
  }
  return out + "]";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: http_load HOST PORT EVENTS CONNECTIONS BATCH [BODY_BYTES]\n");
    return 2;
  }
  std::string host = argv[1], port = argv[2];
  long events = std::stol(argv[3]);
  int conns = std::stoi(argv[4]), batch = std::stoi(argv[5]);
  size_t size = argc > 6 ? std::stoul(argv[6]) : 300;
  long batches = (events + batch - 1) / batch;
  std::atomic<long> next{0}, requests{0}, retries{0}, errors{0}, sent{0};
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < conns; ++c) {
    threads.emplace_back([&, c] {
      asio::io_context io;
      beast::tcp_stream stream(io);
      asio::ip::tcp::resolver resolver(io);
      stream.connect(resolver.resolve(host, port));
      http::request<http::string_body> req{http::verb::post, "/", 11};
      req.set(http::field::host, host);
      req.set(http::field::content_type, "application/json");
      req.keep_alive(true);
      req.body() = make_batch(c, batch, size);
      req.prepare_payload();
      beast::flat_buffer buf;
      for (long n; (n = next.fetch_add(1)) < batches;) {
        stamp(req.body(), n);
        while (true) {
          http::write(stream, req);
          http::response<http::string_body> res;
          http::read(stream, buf, res);
          requests++;
          if (res.result() == http::status::ok) break;
          if (res.result() == http::status::service_unavailable) {
            retries++;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
          }
          errors++;
          break;
        }
        sent += batch;
      }
      beast::error_code ec;
      stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"events\": %ld, \"seconds\": %.3f, \"requests\": %ld, \"retries_503\": %ld, \"errors\": %ld}\n",
              sent.load(), secs, requests.load(), retries.load(), errors.load());
  return errors.load() ? 1 : 0;
}
