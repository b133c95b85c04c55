#include "sinks/backends/webhdfs_storage.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url.hpp>
#include <thread>

#include "agent/log.hpp"

namespace sluice::storage {

namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

std::string encode_path(const std::string& p) {
  std::string out;
  for (unsigned char c : p) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~' || c == '=') {
      out += static_cast<char>(c);
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  return out;
}

std::string describe_error(const WebHdfsStorage::Response& r) {
  if (auto e = parse_remote_exception(r.body)) return std::to_string(r.status) + " " + e->exception + ": " + e->message;
  return "HTTP " + std::to_string(r.status) + (r.body.empty() ? "" : ": " + r.body.substr(0, 200));
}

class WebHdfsFile : public OutputFile {
 public:
  WebHdfsFile(WebHdfsStorage& s, std::string path) : s_(s), path_(std::move(path)) {}
  void write(std::string_view data) override { pending_.append(data); }
  void sync() override {
    if (pending_.empty()) return;
    try {
      s_.call("POST", path_, "APPEND", "", pending_, false);
    } catch (const StorageError&) {
      // The APPEND may have landed before the error: look before sending the bytes again.
      int64_t len = s_.length(path_);
      if (len == static_cast<int64_t>(size_ + pending_.size())) {
        size_ += pending_.size();
        pending_.clear();
        return;
      }
      if (len != static_cast<int64_t>(size_)) throw;
      s_.call("POST", path_, "APPEND", "", pending_, false);
    }
    size_ += pending_.size();
    pending_.clear();
  }
  void close() override { sync(); }
  uint64_t size() const override { return size_ + pending_.size(); }

 private:
  WebHdfsStorage& s_;
  std::string path_;
  std::string pending_;
  uint64_t size_ = 0;
};

}  // namespace

std::optional<RemoteException> parse_remote_exception(std::string_view body) {
  boost::json::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto* re = v.as_object().if_contains("RemoteException");
  if (!re || !re->is_object()) return std::nullopt;
  auto text = [&](const char* key) {
    auto* m = re->as_object().if_contains(key);
    return m && m->is_string() ? std::string(m->as_string()) : std::string();
  };
  RemoteException e{text("exception"), text("message")};
  if (e.exception.empty()) e.exception = "RemoteException";
  return e;
}

std::optional<int64_t> parse_file_length(std::string_view body) {
  boost::json::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto* fs = v.as_object().if_contains("FileStatus");
  if (!fs || !fs->is_object()) return std::nullopt;
  auto* len = fs->as_object().if_contains("length");
  if (!len) return std::nullopt;
  auto n = len->to_number<int64_t>(ec);
  if (ec || n < 0) return std::nullopt;
  return n;
}

std::optional<std::vector<DirEntry>> parse_list_status(std::string_view body) {
  boost::json::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto* fss = v.as_object().if_contains("FileStatuses");
  if (!fss || !fss->is_object()) return std::nullopt;
  auto* list = fss->as_object().if_contains("FileStatus");
  if (!list || !list->is_array()) return std::nullopt;
  std::vector<DirEntry> out;
  for (const auto& s : list->as_array()) {
    if (!s.is_object()) continue;
    auto* name = s.as_object().if_contains("pathSuffix");
    if (!name || !name->is_string()) continue;
    std::string n(name->as_string());
    // A name that is not one path segment would escape the listed directory (or recurse forever).
    if (n.empty() || n == "." || n == ".." || n.find('/') != std::string::npos) continue;
    auto* type = s.as_object().if_contains("type");
    out.push_back({std::move(n), type && type->is_string() && type->as_string() == "DIRECTORY"});
  }
  return out;
}

namespace {

template <class Stream>
WebHdfsStorage::Response exchange(Stream& stream, const std::string& method, const std::string& host, int port,
                                  const std::string& target, const std::string& data) {
  bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
  req.set(bhttp::field::host, host + ":" + std::to_string(port));
  req.set(bhttp::field::user_agent, "sluice");
  if (!data.empty() || method != "GET") {
    req.set(bhttp::field::content_type, "application/octet-stream");
    req.body() = data;
    req.prepare_payload();
  }
  bhttp::write(stream, req);
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(1ULL << 32);
  bhttp::read(stream, buf, parser);
  auto& res = parser.get();
  WebHdfsStorage::Response r;
  r.status = static_cast<int>(res.result_int());
  r.body = std::move(res.body());
  r.location = std::string(res[bhttp::field::location]);
  return r;
}

}  // namespace

WebHdfsStorage::Response WebHdfsStorage::once(bool https, const std::string& method, const std::string& host,
                                              int port, const std::string& target, const std::string& data) {
  boost::asio::io_context io;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(host, std::to_string(port));
  beast::error_code ec;
  if (!https) {
    beast::tcp_stream stream(io);
    stream.expires_after(o_.timeout);
    stream.connect(endpoints);
    Response r = exchange(stream, method, host, port, target, data);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return r;
  }
  if (!o_.tls) throw StorageError("WebHDFS: " + host + " redirected to https:// but no TLS is configured");
  beast::ssl_stream<beast::tcp_stream> stream(io, *o_.tls);
  beast::get_lowest_layer(stream).expires_after(o_.timeout);
  beast::get_lowest_layer(stream).connect(endpoints);
  boost::system::error_code ip_ec;
  boost::asio::ip::make_address(host, ip_ec);
  if (ip_ec) SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());  // SNI for names only
  stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
  stream.handshake(boost::asio::ssl::stream_base::client, ec);
  if (ec) throw std::runtime_error("TLS handshake with " + host + ":" + std::to_string(port) + " failed: " + ec.message());
  Response r = exchange(stream, method, host, port, target, data);
  stream.shutdown(ec);  // the peer may just close: not an error for a completed exchange
  return r;
}

WebHdfsStorage::Response WebHdfsStorage::call(const std::string& method, const std::string& path, const std::string& op,
                                              const std::string& params, const std::string& data, bool idempotent) {
  std::string target = "/webhdfs/v1" + encode_path(path) + "?op=" + op + "&user.name=" + o_.user + params;
  std::string last;
  int attempts = idempotent ? o_.retries + 1 : 1;
  for (int i = 0; i < attempts; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::min(2000, 200 << i)));
    try {
      bool two_step = op == "CREATE" || op == "APPEND" || op == "OPEN";
      Response r = once(o_.https, method, o_.host, o_.port, target, two_step ? "" : data);
      if (two_step && r.status == 307) {
        auto u = boost::urls::parse_uri(r.location);
        if (!u) throw StorageError("WebHDFS " + op + " " + path + ": bad redirect Location '" + r.location + "'");
        std::string dn_target = std::string(u->encoded_path()) + (u->has_query() ? "?" + std::string(u->encoded_query()) : "");
        bool dn_https = u->scheme() == "https";
        if (o_.https && !dn_https)
          throw StorageError("WebHDFS " + op + " " + path + ": the namenode redirected to '" + r.location +
                             "' (plain http); refusing to send data without TLS");
        int dn_port = u->has_port() ? std::stoi(std::string(u->port())) : (dn_https ? 443 : 80);
        r = once(dn_https, method, std::string(u->host()), dn_port, dn_target, data);
      }
      if (r.status >= 200 && r.status < 300) return r;
      last = describe_error(r);
      if (r.status < 500) break;  // 4xx: retrying will not help
    } catch (const StorageError&) {
      throw;
    } catch (const std::exception& e) {
      last = e.what();
    }
  }
  throw StorageError("WebHDFS " + op + " " + path + " on " + o_.host + ":" + std::to_string(o_.port) + " failed: " + last);
}

std::unique_ptr<OutputFile> WebHdfsStorage::create(const std::string& path) {
  call("PUT", path, "CREATE", "&overwrite=true");
  return std::make_unique<WebHdfsFile>(*this, path);
}

void WebHdfsStorage::rename(const std::string& from, const std::string& to) {
  auto r = call("PUT", from, "RENAME", "&destination=" + encode_path(to));
  if (r.body.find("true") == std::string::npos)
    throw StorageError("WebHDFS RENAME " + from + " -> " + to + " was refused (" + r.body + ")");
}

int64_t WebHdfsStorage::length(const std::string& path) {
  try {
    auto r = call("GET", path, "GETFILESTATUS");
    return parse_file_length(r.body).value_or(-1);
  } catch (const std::exception&) {
    return -1;
  }
}

bool WebHdfsStorage::exists(const std::string& path) { return length(path) >= 0; }

std::vector<std::string> WebHdfsStorage::list_files(const std::string& dir) {
  std::vector<std::string> out;
  Response r;
  try {
    r = call("GET", dir, "LISTSTATUS");
  } catch (const StorageError&) {
    return out;  // missing directory: nothing to recover
  }
  auto entries = parse_list_status(r.body);
  if (!entries) throw StorageError("WebHDFS LISTSTATUS " + dir + ": not a FileStatuses answer: " + r.body.substr(0, 200));
  for (const auto& e : *entries) {
    std::string full = dir + (dir.ends_with("/") ? "" : "/") + e.name;
    if (e.directory) {
      auto sub = list_files(full);
      out.insert(out.end(), sub.begin(), sub.end());
    } else {
      out.push_back(full);
    }
  }
  return out;
}

std::string WebHdfsStorage::read_all(const std::string& path) { return call("GET", path, "OPEN").body; }

void WebHdfsStorage::remove(const std::string& path) { call("DELETE", path, "DELETE"); }

}  // namespace sluice::storage
