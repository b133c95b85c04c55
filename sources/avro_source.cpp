#include "sources/avro_source.hpp"

#include <fnmatch.h>

#include <boost/asio.hpp>
#include <sstream>
#include <thread>

#include "agent/avro/ipc.hpp"
#include "agent/avro/zlib_stream.hpp"
#include "agent/listen.hpp"
#include "agent/tls.hpp"
#include "agent/tls_stream.hpp"
#include "sources/syslog/syslog_options.hpp"

namespace sluice {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

bool parse_ip_filter_rules(const std::string& text, std::vector<IpFilterRule>& out, std::string& error) {
  out.clear();
  std::stringstream in(text);
  for (std::string rule; std::getline(in, rule, ',');) {
    rule.erase(0, rule.find_first_not_of(" \t"));
    rule.erase(rule.find_last_not_of(" \t") + 1);
    if (rule.empty()) continue;
    auto c1 = rule.find(':');
    auto c2 = c1 == std::string::npos ? std::string::npos : rule.find(':', c1 + 1);
    if (c2 == std::string::npos) {
      error = "'" + rule + "' is not a rule (expected allow|deny:ip|name:pattern)";
      return false;
    }
    std::string verb = rule.substr(0, c1), kind = rule.substr(c1 + 1, c2 - c1 - 1), pat = rule.substr(c2 + 1);
    if ((verb != "allow" && verb != "deny") || (kind != "ip" && kind != "name") || pat.empty()) {
      error = "'" + rule + "' is not a rule (expected allow|deny:ip|name:pattern)";
      return false;
    }
    out.push_back({verb == "allow", kind == "name", pat});
  }
  return true;
}

bool ip_allowed(const std::vector<IpFilterRule>& rules, const std::string& ip, const std::string& hostname) {
  for (const auto& r : rules) {
    const std::string& subject = r.by_name ? hostname : ip;
    if (!subject.empty() && fnmatch(r.pattern.c_str(), subject.c_str(), 0) == 0) return r.allow;
  }
  return false;
}

struct AvroSource::Impl {
  AvroSource& src;
  std::atomic<int> connections{0};  // before io: connections still queued in io count down when it goes
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
  RateLimit warn;
  Counter& tls_failed;
  Counter& open_connections;
  std::chrono::seconds idle_timeout;
  explicit Impl(AvroSource& s)
      : src(s), tls_failed(s.counters_.group->counter("TlsHandshakeFailCount")),
        open_connections(s.counters_.open_connections), idle_timeout(s.idle_timeout_s_) {}
  void accept();
  // Handles one request frame; returns the response payload (empty: close the connection).
  std::string handle(std::string_view payload, bool& handshaken, const std::string& peer);
};

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket s, asio::ssl::context* tls, AvroSource::Impl& impl, size_t max, bool deflate,
             std::string peer)
      : socket_(std::move(s), tls), timer_(socket_.get_executor()), impl_(impl), frames_(max), peer_(std::move(peer)),
        idle_(impl.idle_timeout) {
    if (deflate) {
      inflater_ = std::make_unique<avro::Inflater>();
      deflater_ = std::make_unique<avro::Deflater>();
    }
    impl_.connections++;
    impl_.open_connections.inc();
  }
  ~Connection() {
    impl_.connections--;
    impl_.open_connections.inc(-1);
  }
  // With TLS (as Flume: TLS outside, deflate inside) the handshake must finish within 30 s.
  void start() {
    if (!socket_.is_tls()) return begin_requests();
    timer_.expires_after(std::chrono::seconds(30));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->close();
    });
    socket_.async_handshake([self = shared_from_this()](boost::system::error_code ec) {
      self->timer_.cancel();
      if (ec) {
        if (!is_tls_probe(ec)) self->impl_.tls_failed.inc();
        if (!is_tls_probe(ec) && self->impl_.warn.allow())
          SLUICE_LOG(Warn, self->impl_.src.name()) << "TLS handshake with " << self->peer_ << " failed: " << ec.message();
        return self->close();
      }
      self->begin_requests();
    });
  }

 private:
  void begin_requests() {
    if (idle_.count() > 0) {
      deadline_ = std::chrono::steady_clock::now() + idle_;
      wait_idle();
    }
    read();
  }
  // One timer per connection, re-armed only when it fires: a complete request just moves deadline_.
  void wait_idle() {
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || !self->socket_.socket().is_open()) return;
      if (std::chrono::steady_clock::now() < self->deadline_) return self->wait_idle();
      if (self->impl_.warn.allow())
        SLUICE_LOG(Warn, self->impl_.src.name()) << "closing connection from " << self->peer_
                                                 << ": no complete request for " << self->idle_.count()
                                                 << " s (idleTimeout)";
      self->close();
    });
  }
  void read() {
    socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
      if (ec) return self->close();  // EOF, reset or stop
      self->on_data(std::string_view(self->buf_, n));
    });
  }

  void on_data(std::string_view data) {
    std::string plain;
    try {
      if (inflater_) {
        plain = inflater_->decompress(data);
        data = plain;
      }
      size_t consumed = 0;
      while (!data.empty()) {
        if (!frames_.feed(data, consumed)) {
          data.remove_prefix(consumed);
          continue;
        }
        data.remove_prefix(consumed);
        auto [serial, payload] = frames_.take();
        std::string reply = impl_.handle(payload, handshaken_, peer_);
        if (reply.empty()) return close();
        out_ += avro::encode_frame(serial, reply);
        if (idle_.count() > 0) deadline_ = std::chrono::steady_clock::now() + idle_;
      }
    } catch (const std::exception& e) {
      if (impl_.warn.allow()) SLUICE_LOG(Warn, impl_.src.name()) << "closing connection from " << peer_ << ": " << e.what();
      return close();
    }
    if (out_.empty()) return read();
    auto wire = std::make_shared<std::string>(deflater_ ? deflater_->compress(out_) : out_);
    out_.clear();
    asio::async_write(socket_, asio::buffer(*wire), [self = shared_from_this(), wire](boost::system::error_code ec, size_t) {
      if (ec) return self->close();
      self->read();
    });
  }
  // Also cancels the idle timer, so a closed connection is freed at once, not when the timer fires.
  void close() {
    boost::system::error_code ignored;
    socket_.socket().close(ignored);
    timer_.cancel();
  }

  MaybeTlsStream<tcp::socket> socket_;
  asio::steady_timer timer_;
  AvroSource::Impl& impl_;
  avro::FrameReader frames_;
  std::string peer_;
  std::chrono::seconds idle_;
  std::chrono::steady_clock::time_point deadline_;
  char buf_[65536];
  std::string out_;
  bool handshaken_ = false;
  std::unique_ptr<avro::Inflater> inflater_;
  std::unique_ptr<avro::Deflater> deflater_;
};

}  // namespace

void AvroSource::Impl::accept() {
  acceptor.async_accept(asio::make_strand(io), [this](boost::system::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      boost::system::error_code e2;
      std::string ip = s.remote_endpoint(e2).address().to_string();
      if (connections.load() >= src.max_connections_) {
        if (warn.allow())
          SLUICE_LOG(Warn, src.name()) << "refusing a connection from " << ip << ": maxConnections "
                                       << src.max_connections_ << " reached";
        s.close(e2);
        accept();
        return;
      }
      if (src.ip_filter_) {
        bool needs_name = false;
        for (const auto& r : src.rules_) needs_name |= r.by_name;
        std::string host = needs_name ? syslog::reverse_lookup(ip) : "";
        if (!ip_allowed(src.rules_, ip, host)) {
          if (warn.allow()) SLUICE_LOG(Warn, src.name()) << "connection from " << ip << " refused by ipFilterRules";
          s.close(e2);
          accept();
          return;
        }
      }
      s.set_option(tcp::no_delay(true), e2);
      std::make_shared<Connection>(std::move(s), src.tls_.get(), *this, src.max_request_, src.deflate_, ip)->start();
    }
    accept();
  });
}

std::string AvroSource::Impl::handle(std::string_view payload, bool& handshaken, const std::string& peer) {
  avro::Decoder dec(payload, src.max_request_);
  std::string out;
  avro::Encoder enc(out);
  if (!handshaken) {
    auto hs = avro::read_handshake_request(dec);
    avro::HandshakeResponse resp;
    bool known = hs.client_hash == avro::flume_protocol_md5();
    if (!known && hs.client_protocol) {
      if (!avro::is_flume_protocol(*hs.client_protocol))
        throw avro::DecodeError("the client speaks another protocol than Flume's AvroSourceProtocol");
      known = true;
    }
    if (!known) {
      // Unknown hash and no protocol text: ask for it (the client resends with its protocol).
      resp.match = avro::HandshakeMatch::None;
      resp.server_protocol = avro::flume_protocol_json();
      resp.server_hash = avro::flume_protocol_md5();
      avro::write_handshake_response(enc, resp);
      return out;
    }
    if (hs.server_hash == avro::flume_protocol_md5()) {
      resp.match = avro::HandshakeMatch::Both;
    } else {
      resp.match = avro::HandshakeMatch::Client;
      resp.server_protocol = avro::flume_protocol_json();
      resp.server_hash = avro::flume_protocol_md5();
    }
    avro::write_handshake_response(enc, resp);
    handshaken = true;
  }
  avro::CallRequest call = avro::read_call_request(dec);
  size_t n = call.events.size();
  bool batch = call.message == "appendBatch";
  (batch ? src.counters_.append_batch_received : src.counters_.append_received).inc();
  src.counters_.events_received.inc(static_cast<int64_t>(n));
  avro::Status status = avro::Status::Ok;
  if (n > 0) {
    try {
      src.processor().process(std::move(call.events));
    } catch (const ChannelException& e) {
      src.counters_.channel_write_fail.inc();
      if (warn.allow()) SLUICE_LOG(Warn, src.name()) << "channel full, answering FAILED to " << peer << ": " << e.what();
      status = avro::Status::Failed;
    } catch (const std::exception& e) {
      src.counters_.generic_processing_fail.inc();
      SLUICE_LOG(Error, src.name()) << "processing a batch from " << peer << " failed: " << e.what();
      status = avro::Status::Failed;
    }
  }
  if (status == avro::Status::Ok) {
    (batch ? src.counters_.append_batch_accepted : src.counters_.append_accepted).inc();
    src.counters_.events_accepted.inc(static_cast<int64_t>(n));
  }
  avro::write_status_response(enc, status);
  return out;
}

AvroSource::AvroSource(const std::string& name, Context& ctx) : Source(name) {
  bind_ = ctx.require_string("bind", "address to listen on");
  port_ = static_cast<int>(ctx.get_int("port", -1, "(required) port to listen on (Flume's usual: 4141)", 0, 65535));
  if (port_ < 0) ctx.error("port", "is required for avro source " + name + " (expected a port number, e.g. 4141)");
  threads_ = static_cast<int>(ctx.get_int("threads", 4, "network threads", 1, 256));
  deflate_ = ctx.get_choice("compression-type", "none", {"none", "deflate"}, "none or deflate (both ends must agree)") ==
             "deflate";
  max_request_ = static_cast<size_t>(
      ctx.get_int("maxRequestBytes", 64LL << 20, "largest request frame, bytes (larger: connection closed)", 1024));
  idle_timeout_s_ = static_cast<int>(ctx.get_int(
      "idleTimeout", 600, "seconds without a complete request before a connection is closed, 0 never (sluice)", 0));
  max_connections_ = static_cast<int>(ctx.get_int("maxConnections", 1000, "most open connections (sluice)", 1));
  ip_filter_ = ctx.get_bool("ipFilter", false, "apply ipFilterRules to connecting clients");
  std::string rules = ctx.get_string("ipFilterRules", "", "allow|deny:ip|name:pattern, comma separated; first match wins");
  std::string err;
  if (!parse_ip_filter_rules(rules, rules_, err)) ctx.error("ipFilterRules", err);
  if (ip_filter_ && rules_.empty()) ctx.error("ipFilterRules", "is required when ipFilter is true");
  tls_ = tls::server_context(ctx);
}

AvroSource::~AvroSource() { stop(); }

void AvroSource::start() {
  impl_ = std::make_unique<Impl>(*this);
  open_listener(impl_->acceptor, bind_, port_);
  impl_->accept();
  for (int i = 0; i < threads_; ++i) impl_->threads.emplace_back([this] { impl_->io.run(); });
  counters_.group->mark_start();
  SLUICE_LOG(Info, name_) << (tls_ ? "Avro RPC (TLS) listening on " : "Avro RPC listening on ") << bind_ << ":" << port();
}

void AvroSource::stop() {
  if (!impl_) return;
  impl_->io.stop();
  for (auto& t : impl_->threads) t.join();
  impl_.reset();
  counters_.group->mark_stop();
}

int AvroSource::port() const { return impl_ ? impl_->acceptor.local_endpoint().port() : port_; }

}  // namespace sluice
