#include "sources/syslog_tcp_source.hpp"

#include <boost/asio.hpp>
#include <thread>

#include "agent/listen.hpp"
#include "agent/tls.hpp"
#include "agent/tls_stream.hpp"
#include "sources/syslog/syslog_framer.hpp"

namespace sluice {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct SyslogTcpSource::Impl {
  SyslogTcpSource& src;
  asio::io_context io;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::thread> threads;
  std::atomic<int> connections{0};
  SourceCounters& counters;
  Counter& invalid;
  Counter& incomplete;
  Counter& tls_failed;
  RateLimit warn;

  explicit Impl(SyslogTcpSource& s)
      : src(s), counters(s.counters_), invalid(s.counters_.group->counter("InvalidEventCount")),
        incomplete(s.counters_.group->counter("IncompleteEventCount")),
        tls_failed(s.counters_.group->counter("TlsHandshakeFailCount")) {}
  void accept(tcp::acceptor& a, int port);
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket s, asio::ssl::context* tls, SyslogTcpSource::Impl& impl, SyslogTcpSource& src,
          const syslog::Options& o, int port)
      : socket_(std::move(s), tls), timer_(socket_.get_executor()), impl_(impl), src_(src), opts_(o), port_(port),
        framer_(o.event_size, [this](std::string_view m, bool inc) { on_message(m, inc); },
                [this](const std::string& why) { on_framing_error(why); }) {
    boost::system::error_code ec;
    auto ep = socket_.socket().remote_endpoint(ec);
    ip_ = ec ? "" : ep.address().to_string();
    if (!o.client_hostname_header.empty()) hostname_ = syslog::reverse_lookup(ip_);
    buf_.resize(o.read_buffer);
    impl_.connections++;
    impl_.counters.open_connections.inc();
  }
  ~Session() {
    impl_.connections--;
    impl_.counters.open_connections.inc(-1);
  }

  // TLS first (RFC 5425), within the idle timeout so a silent client cannot hold a slot; then read.
  void start() {
    if (!socket_.is_tls()) return read();
    arm_idle_timer();
    socket_.async_handshake([self = shared_from_this()](boost::system::error_code ec) {
      self->timer_.cancel();
      if (ec) {
        if (!is_tls_probe(ec)) self->impl_.tls_failed.inc();
        if (!is_tls_probe(ec) && self->impl_.warn.allow())
          SLUICE_LOG(Warn, self->src_.name()) << "TLS handshake with " << self->ip_ << " failed: " << ec.message();
        boost::system::error_code ignored;
        return void(self->socket_.socket().close(ignored));
      }
      self->read();
    });
  }

  void read() {
    arm_idle_timer();
    socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
      self->timer_.cancel();
      if (ec) {
        self->framer_.finish();
        self->eof_ = true;
      } else {
        self->read_ms_ = now_ms();  // one clock read per read(), not per message
        // A committed batch's vector went to the channel with its events: start a new one sized once.
        if (self->pending_.capacity() == 0) self->pending_.reserve(std::min<size_t>(self->opts_.batch_size, 4096));
        self->framer_.feed(std::string_view(self->buf_.data(), n));
      }
      self->deliver();
    });
  }

 private:
  void arm_idle_timer() {
    if (opts_.idle_timeout_s > 0) {
      timer_.expires_after(std::chrono::seconds(opts_.idle_timeout_s));
      timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) {
          SLUICE_LOG(Info, self->src_.name()) << "closing connection from " << self->ip_ << " idle for "
                                              << self->opts_.idle_timeout_s << " s";
          boost::system::error_code ignored;
          self->socket_.socket().close(ignored);
        }
      });
    }
  }

  void on_message(std::string_view m, bool incomplete) {
    Event e = syslog::parse_message(m, incomplete, opts_.keep, read_ms_ ? read_ms_ : now_ms());
    if (incomplete) {
      impl_.incomplete.inc();
      if (impl_.warn.allow())
        SLUICE_LOG(Warn, src_.name()) << "message from " << ip_ << " longer than eventSize " << opts_.event_size
                                      << ": cut and marked Incomplete";
    } else if (e.headers.contains(syslog::kStatusHeader)) {
      impl_.invalid.inc();
      if (impl_.warn.allow())
        SLUICE_LOG(Warn, src_.name()) << "message from " << ip_ << " has no valid <PRI>: delivered marked Invalid";
    }
    syslog::add_client_headers(e, opts_, ip_, hostname_, port_);
    impl_.counters.events_received.inc();
    pending_.push_back(std::move(e));
  }

  void on_framing_error(const std::string& why) {
    impl_.counters.event_read_fail.inc();
    SLUICE_LOG(Warn, src_.name()) << "connection from " << ip_ << ": " << why;
  }

  // Commits pending events in batches; on a full channel waits and retries without reading.
  void deliver() {
    while (!pending_.empty()) {
      size_t n = std::min(pending_.size(), opts_.batch_size);
      if (n == pending_.size()) {
        chunk_.swap(pending_);  // the common case: what one read brought fits in a batch
      } else {
        chunk_.assign(std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.begin() + n));
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
      }
      try {
        src_.processor().process_keeping(chunk_);  // a refused batch comes back in chunk_
      } catch (const ChannelException& e) {
        impl_.counters.channel_write_fail.inc();
        pending_.insert(pending_.begin(), std::make_move_iterator(chunk_.begin()), std::make_move_iterator(chunk_.end()));
        chunk_.clear();
        if (impl_.warn.allow())
          SLUICE_LOG(Warn, src_.name()) << "channel full, pausing reads from " << ip_ << ": " << e.what();
        // Back off 5 ms doubling to 500 ms: quick to resume once the channel drains, cheap when it stays full.
        retry_ms_ = std::min(retry_ms_ == 0 ? 5 : retry_ms_ * 2, 500);
        timer_.expires_after(std::chrono::milliseconds(retry_ms_));
        timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
          if (!ec) self->deliver();
        });
        return;
      }
      impl_.counters.events_accepted.inc(static_cast<int64_t>(n));
      retry_ms_ = 0;
      if (pending_.empty()) pending_.swap(chunk_);  // keep the vector's capacity for the next read
    }
    if (!eof_) read();
  }

  MaybeTlsStream<tcp::socket> socket_;
  asio::steady_timer timer_;
  SyslogTcpSource::Impl& impl_;
  SyslogTcpSource& src_;
  const syslog::Options& opts_;
  int port_;
  syslog::Framer framer_;
  std::vector<char> buf_;
  std::string ip_, hostname_;
  Batch pending_;
  Batch chunk_;  // the batch being offered to the channel
  bool eof_ = false;
  int retry_ms_ = 0;
  int64_t read_ms_ = 0;
};

}  // namespace

void SyslogTcpSource::Impl::accept(tcp::acceptor& a, int port) {
  a.async_accept(asio::make_strand(io), [this, &a, port](boost::system::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (connections.load() >= src.opts_.max_connections) {
        if (warn.allow())
          SLUICE_LOG(Warn, src.name()) << "refusing a connection: maxConnections " << src.opts_.max_connections
                                       << " reached";
        boost::system::error_code ignored;
        s.close(ignored);
      } else {
        std::make_shared<Session>(std::move(s), src.tls_.get(), *this, src, src.opts_, port)->start();
      }
    }
    accept(a, port);
  });
}

SyslogTcpSource::SyslogTcpSource(const std::string& name, Context& ctx, bool multiport) : Source(name) {
  opts_.read(ctx, true, multiport);
  if (multiport) {
    for (const auto& p : ctx.get_list("ports", "(required) ports to listen on, space separated")) {
      char* end = nullptr;
      long v = std::strtol(p.c_str(), &end, 10);
      if (*end || v < 0 || v > 65535) ctx.error("ports", "'" + p + "' is not a port number (expected 0..65535)");
      else ports_.push_back(static_cast<int>(v));
    }
    if (ports_.empty() && !ctx.has("ports")) ctx.error("ports", "is required (expected port numbers)");
  } else {
    int p = static_cast<int>(ctx.get_int("port", -1, "(required) port to listen on", 0, 65535));
    if (p < 0) ctx.error("port", "is required for syslogtcp source " + name + " (expected a port number)");
    ports_.push_back(p);
  }
  tls_ = tls::server_context(ctx);
}

SyslogTcpSource::~SyslogTcpSource() { stop(); }

void SyslogTcpSource::start() {
  impl_ = std::make_unique<Impl>(*this);
  for (int port : ports_) {
    auto a = std::make_unique<tcp::acceptor>(impl_->io);
    open_listener(*a, opts_.host, port);
    int bound = a->local_endpoint().port();
    impl_->accept(*a, bound);
    impl_->acceptors.push_back(std::move(a));
    SLUICE_LOG(Info, name_) << (tls_ ? "syslog TLS listening on " : "syslog TCP listening on ") << opts_.host << ":" << bound;
  }
  for (int i = 0; i < opts_.threads; ++i) impl_->threads.emplace_back([this] { impl_->io.run(); });
  counters_.group->mark_start();
}

void SyslogTcpSource::stop() {
  if (!impl_) return;
  impl_->io.stop();
  for (auto& t : impl_->threads) t.join();
  impl_.reset();
  counters_.group->mark_stop();
}

std::vector<int> SyslogTcpSource::bound_ports() const {
  std::vector<int> out;
  if (impl_)
    for (auto& a : impl_->acceptors) out.push_back(a->local_endpoint().port());
  return out;
}

}  // namespace sluice
