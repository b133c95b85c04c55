#include "sinks/avro_sink.hpp"

#include "agent/tls.hpp"

namespace sluice {

AvroSink::AvroSink(const std::string& name, Context& ctx)
    : BatchSink(name, static_cast<size_t>(ctx.get_int("batch-size", 100, "events per appendBatch call", 1))) {
  opts_.host = ctx.require_string("hostname", "server host name or address");
  opts_.port = static_cast<int>(ctx.get_int("port", -1, "(required) server port (Flume's usual: 4141)", 0, 65535));
  if (opts_.port < 0) ctx.error("port", "is required for avro sink " + name + " (expected a port number)");
  opts_.connect_timeout = std::chrono::milliseconds(ctx.get_int("connect-timeout", 20000, "ms to connect", 1));
  opts_.request_timeout = std::chrono::milliseconds(ctx.get_int("request-timeout", 20000, "ms to wait for an answer", 1));
  reset_interval_s_ = ctx.get_int("reset-connection-interval", 0, "seconds after which the connection is re-made", 0);
  opts_.deflate = ctx.get_choice("compression-type", "none", {"none", "deflate"}, "none or deflate") == "deflate";
  opts_.level = static_cast<int>(ctx.get_int("compression-level", 6, "deflate level 0-9", 0, 9));
  ctx.get_int("maxIoWorkers", 0, "accepted for Flume compatibility", 0);
  if (auto t = tls::client_context(ctx)) {
    opts_.tls = std::shared_ptr<SSL_CTX>(t->context, t->context->native_handle());
    opts_.verify_hostname = t->verify_hostname;
  }
}

void AvroSink::stop() {
  if (client_ && client_->connected()) counters_.connection_closed.inc();
  client_.reset();
  BatchSink::stop();
}

void AvroSink::deliver(const Batch& batch) {
  auto now = std::chrono::steady_clock::now();
  if (client_ && reset_interval_s_ > 0 && now - connected_at_ >= std::chrono::seconds(reset_interval_s_)) {
    client_->close();
    counters_.connection_closed.inc();
  }
  if (client_ && client_->connected() && client_->peer_closed()) {
    // E.g. the server's idleTimeout: reconnect now rather than fail this batch on the dead connection.
    client_->close();
    counters_.connection_closed.inc();
    SLUICE_LOG(Info, name_) << opts_.host << ":" << opts_.port << " closed the connection; reconnecting";
  }
  if (!client_) client_ = std::make_unique<avro::RpcClient>(opts_);
  if (!client_->connected()) {
    try {
      client_->connect();
    } catch (const std::exception&) {
      counters_.connection_failed.inc();
      throw;
    }
    counters_.connection_created.inc();
    connected_at_ = now;
    SLUICE_LOG(Info, name_) << "connected to " << opts_.host << ":" << opts_.port;
  }
  avro::Status s;
  try {
    s = client_->append_batch(batch);
  } catch (const std::exception&) {
    counters_.connection_closed.inc();
    throw;
  }
  if (s != avro::Status::Ok)
    throw DeliveryException(opts_.host + ":" + std::to_string(opts_.port) + " answered " +
                            (s == avro::Status::Failed ? "FAILED" : "UNKNOWN") + " (its channel is likely full)");
}

}  // namespace sluice
