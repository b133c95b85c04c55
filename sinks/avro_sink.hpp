// Flume type: avro (org.apache.flume.sink.AvroSink)
// Keys: hostname (required), port (required), batch-size (100), connect-timeout (20000 ms),
// request-timeout (20000 ms), reset-connection-interval (0 s: never), compression-type (none |
// deflate), compression-level (6), maxIoWorkers (accepted).
// A batch is committed only when the server answered OK; FAILED, a timeout or any I/O error rolls it
// back (the events are sent again) and the connection is re-made on the next attempt, with the
// runner's backoff in between. Failover and load_balance sink groups spread over several servers.
// TLS with Flume's keys: ssl, trust-all-certs, truststore, truststore-password, truststore-type,
// exclude-protocols; sluice adds ssl-ca, ssl-verify-hostname (true; Flume does not check the name)
// and ssl-certificate / ssl-key for mTLS (see agent/tls.hpp).
#pragma once
#include <chrono>
#include <memory>

#include "agent/avro/rpc_client.hpp"
#include "agent/sink.hpp"

namespace sluice {

class AvroSink : public BatchSink {
 public:
  AvroSink(const std::string& name, Context& ctx);
  void stop() override;

 protected:
  void deliver(const Batch& batch) override;

 private:
  avro::RpcOptions opts_;
  int64_t reset_interval_s_;
  std::unique_ptr<avro::RpcClient> client_;
  std::chrono::steady_clock::time_point connected_at_;
};

}  // namespace sluice
