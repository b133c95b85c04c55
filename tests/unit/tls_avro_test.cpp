// Avro RPC over TLS: the avro sink (RpcClient) talking to the avro source, certificates made by the test.
#include <gtest/gtest.h>

#include <thread>

#include "agent/avro/rpc_client.hpp"
#include "agent/channel_selector.hpp"
#include "agent/tls.hpp"
#include "channels/memory_channel.hpp"
#include "sinks/avro_sink.hpp"
#include "sources/avro_source.hpp"
#include "test_support.hpp"
#include "tls_test_certs.hpp"

namespace sluice {
namespace {

using test::make_context;
using KV = std::map<std::string, std::string>;

struct AvroTls : ::testing::Test {
  test::TestCerts certs;
  Context c1 = make_context({{"keep-alive", "0"}, {"capacity", "1000"}});
  MemoryChannel out{"out", c1};
  std::unique_ptr<AvroSource> src;

  void start_source(KV kv) {
    kv.insert({{"bind", "127.0.0.1"}, {"port", "0"}, {"ssl", "true"}});
    Diagnostics d;
    auto ctx = make_context(kv, &d);
    src = std::make_unique<AvroSource>("r1", ctx);
    ASSERT_EQ(d.error_count(), 0u) << d.format();
    auto sel = make_channel_selector(make_context({}), {&out}, [&](const std::string&) { return &out; });
    src->set_channel_processor(
        std::make_shared<ChannelProcessor>("r1", std::move(sel), std::vector<std::unique_ptr<Interceptor>>{}));
    src->start();
  }
  KV server_pem() { return {{"ssl-certificate", certs.server_cert}, {"ssl-key", certs.server_key}}; }

  // The client options an avro sink with these keys would use.
  avro::RpcOptions client(KV kv, const std::string& host = "127.0.0.1") {
    kv.insert({{"ssl", "true"}});
    Diagnostics d;
    auto ctx = make_context(kv, &d);
    auto t = tls::client_context(ctx);
    EXPECT_TRUE(t.has_value()) << d.format();
    avro::RpcOptions o;
    o.host = host;
    o.port = src->port();
    o.request_timeout = std::chrono::milliseconds(3000);
    if (t) {
      o.tls = std::shared_ptr<SSL_CTX>(t->context, t->context->native_handle());
      o.verify_hostname = t->verify_hostname;
    }
    return o;
  }
  std::string send_error(const avro::RpcOptions& o) {
    try {
      avro::RpcClient c(o);
      c.append_batch({Event("x")});
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(AvroTls, SinkDeliversToSourceOverTlsWithDeflateInside) {
  auto kv = server_pem();
  kv["compression-type"] = "deflate";
  start_source(kv);
  auto kctx = make_context({{"hostname", "localhost"}, {"port", std::to_string(src->port())}, {"ssl", "true"},
                            {"truststore", certs.ca}, {"truststore-type", "PEM"}, {"batch-size", "10"},
                            {"compression-type", "deflate"}});
  Context cin = make_context({{"keep-alive", "0"}});
  MemoryChannel in("in", cin);
  AvroSink sink("k1", kctx);
  sink.set_channel(&in);
  sink.start();
  {
    auto tx = in.begin();
    for (int i = 0; i < 25; ++i) {
      Event e("line-" + std::to_string(i));
      e.headers.set("n", std::to_string(i));
      tx->put(std::move(e));
    }
    tx->commit();
  }
  for (int i = 0; i < 3; ++i) sink.process();
  sink.stop();
  auto got = test::drain_events(out);
  ASSERT_EQ(got.size(), 25u);
  EXPECT_EQ(got[24].body, "line-24");
  EXPECT_EQ(got[24].headers.get("n"), "24");
  EXPECT_EQ(in.size(), 0u);
}

TEST_F(AvroTls, UntrustedServerIsRefused) {
  start_source(server_pem());
  auto e = send_error(client({{"ssl-ca", certs.other_ca}}));
  EXPECT_NE(e.find("not trusted"), std::string::npos) << e;
  EXPECT_TRUE(test::drain_events(out).empty());
}

TEST_F(AvroTls, TrustAllCertsAcceptsAnyServerAsFlume) {
  start_source(server_pem());
  EXPECT_EQ(send_error(client({{"trust-all-certs", "true"}})), "");
  EXPECT_EQ(test::drain_events(out).size(), 1u);
}

TEST_F(AvroTls, HostnameIsVerifiedUnlessTurnedOff) {
  start_source({{"ssl-certificate", certs.elsewhere_cert}, {"ssl-key", certs.elsewhere_key}});
  auto e = send_error(client({{"ssl-ca", certs.ca}}, "localhost"));
  EXPECT_NE(e.find("ssl-verify-hostname = false"), std::string::npos) << e;
  EXPECT_EQ(send_error(client({{"ssl-ca", certs.ca}, {"ssl-verify-hostname", "false"}}, "localhost")), "");
  EXPECT_EQ(test::drain_events(out).size(), 1u);
}

TEST_F(AvroTls, MutualTlsWithClientCertificate) {
  auto kv = server_pem();
  kv["ssl-client-auth"] = "required";
  kv["truststore"] = certs.ca;
  kv["truststore-type"] = "PEM";
  start_source(kv);
  EXPECT_NE(send_error(client({{"ssl-ca", certs.ca}})), "");
  EXPECT_EQ(send_error(client({{"ssl-ca", certs.ca}, {"ssl-certificate", certs.client_cert},
                               {"ssl-key", certs.client_key}})),
            "");
  EXPECT_EQ(test::drain_events(out).size(), 1u);
}

TEST_F(AvroTls, PlainClientCannotTalkToTlsSource) {
  start_source(server_pem());
  avro::RpcOptions o;
  o.host = "127.0.0.1";
  o.port = src->port();
  o.request_timeout = std::chrono::milliseconds(2000);
  EXPECT_NE(send_error(o), "");
  EXPECT_TRUE(test::drain_events(out).empty());
}

}  // namespace
}  // namespace sluice
