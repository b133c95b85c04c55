// TLS settings (agent/tls) and the syslog TCP source over TLS, with certificates the test makes.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <set>
#include <thread>

#include "agent/tls.hpp"
#include "channels/memory_channel.hpp"
#include "sources/syslog_tcp_source.hpp"
#include "test_support.hpp"
#include "tls_test_certs.hpp"

namespace sluice {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using test::make_context;

struct ClientOptions {
  ClientOptions(std::string ca_, std::string cert_ = "", std::string key_ = "", int max_version_ = 0,
                std::string cipher_ = "")
      : ca(std::move(ca_)), cert(std::move(cert_)), key(std::move(key_)), max_version(max_version_),
        cipher(std::move(cipher_)) {}
  std::string ca, cert, key;
  int max_version;     // e.g. TLS1_2_VERSION
  std::string cipher;  // OpenSSL name, TLS <= 1.2
};

// Connects with TLS, sends `data`, waits for the server to close. Returns the negotiated cipher,
// or "error: ..." when the handshake or the write fails.
std::string tls_send(int port, const ClientOptions& o, const std::string& data) {
  asio::io_context io;
  ssl::context c(ssl::context::tls_client);
  if (!o.ca.empty()) c.load_verify_file(o.ca);
  c.set_verify_mode(ssl::verify_peer);
  if (!o.cert.empty()) {
    c.use_certificate_chain_file(o.cert);
    c.use_private_key_file(o.key, ssl::context::pem);
  }
  if (o.max_version) SSL_CTX_set_max_proto_version(c.native_handle(), o.max_version);
  if (!o.cipher.empty()) SSL_CTX_set_cipher_list(c.native_handle(), o.cipher.c_str());
  ssl::stream<tcp::socket> s(io, c);
  boost::system::error_code ec;
  s.next_layer().connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}, ec);
  if (ec) return "error: connect " + ec.message();
  s.handshake(ssl::stream_base::client, ec);
  if (ec) return "error: handshake " + ec.message();
  asio::write(s, asio::buffer(data), ec);
  if (ec) return "error: write " + ec.message();
  // TLS 1.3 reports a refused client certificate only after the handshake: a server that refused us
  // has sent an alert within 300 ms (loopback); one that accepted us has sent nothing.
  char b[16];
  std::string cipher = SSL_get_cipher_name(s.native_handle());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  s.next_layer().non_blocking(true);
  s.read_some(asio::buffer(b), ec);
  if (ec && ec.category() == asio::error::get_ssl_category()) return "error: " + ec.message();
  return cipher;
}

std::vector<Event> wait_events(Channel& ch, size_t n) {
  std::vector<Event> got;
  for (int i = 0; i < 300 && got.size() < n; ++i) {
    for (auto& e : test::drain_events(ch)) got.push_back(std::move(e));
    if (got.size() < n) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return got;
}

struct TlsSyslog : ::testing::Test {
  test::TestCerts certs;
  Context cctx = make_context({{"capacity", "1000"}});
  MemoryChannel ch{"c1", cctx};
  Diagnostics diag;
  std::unique_ptr<SyslogTcpSource> src;

  // Starts a TLS syslog source with the given extra keys; false if the config was refused.
  bool start(std::map<std::string, std::string> kv) {
    kv.insert({{"host", "127.0.0.1"}, {"port", "0"}, {"ssl", "true"}});
    auto ctx = make_context(kv, &diag);
    src = std::make_unique<SyslogTcpSource>("r1", ctx);
    if (diag.error_count() > 0) return false;
    src->set_channel_processor(test::processor_to(&ch));
    src->start();
    return true;
  }
  int port() { return src->bound_ports()[0]; }
  std::map<std::string, std::string> pem() {
    return {{"ssl-certificate", certs.server_cert}, {"ssl-key", certs.server_key}};
  }
  std::string errors() { return diag.format(); }
};

TEST_F(TlsSyslog, OctetCountedMessagesOverTlsBecomeEvents) {
  ASSERT_TRUE(start(pem())) << errors();
  std::string m1 = "<34>1 2026-11-25T10:00:00Z web1 sshd 42 - - Failed password for root";
  std::string m2 = "<13>Nov 25 10:00:01 web2 squid: GET http://example.com/";
  std::string wire = std::to_string(m1.size()) + " " + m1 + std::to_string(m2.size()) + " " + m2;
  EXPECT_FALSE(tls_send(port(), {certs.ca}, wire).starts_with("error"));
  auto got = wait_events(ch, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body, "sshd 42 - - Failed password for root");  // as Flume keeps an RFC 5424 body
  EXPECT_EQ(got[0].headers.get("host"), "web1");
  EXPECT_EQ(got[0].headers.get("Facility"), "4");
  EXPECT_EQ(got[1].body, "squid: GET http://example.com/");
}

// A sender that writes and closes without ever reading (what syslog senders do) must lose nothing:
// a server that sent TLS 1.3 session tickets would make the client's kernel reset the connection.
TEST_F(TlsSyslog, SendOnlyClientThatClosesAtOnceLosesNothing) {
  ASSERT_TRUE(start(pem())) << errors();
  const int per_conn = 500, conns = 4;
  for (int c = 0; c < conns; ++c) {
    asio::io_context io;
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file(certs.ca);
    ctx.set_verify_mode(ssl::verify_peer);
    ssl::stream<tcp::socket> s(io, ctx);
    s.next_layer().connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port())});
    s.handshake(ssl::stream_base::client);
    std::string wire;
    for (int i = 0; i < per_conn; ++i) {
      std::string m = "<13>1 2026-11-25T10:00:00Z h app - - - conn " + std::to_string(c) + " msg " + std::to_string(i) +
                      " " + std::string(200, 'P');
      wire += std::to_string(m.size()) + " " + m;
    }
    asio::write(s, asio::buffer(wire));
    s.next_layer().close();  // no close_notify, nothing read
  }
  EXPECT_EQ(wait_events(ch, per_conn * conns).size(), static_cast<size_t>(per_conn * conns));
}

TEST_F(TlsSyslog, PlainTcpClientIsRefusedAndCounted) {
  ASSERT_TRUE(start(pem())) << errors();
  int fd = test::dial_loopback(port());
  std::string line = "<13>Nov 25 10:00:01 web2 app: cleartext\n";
  ASSERT_EQ(::send(fd, line.data(), line.size(), MSG_NOSIGNAL), static_cast<ssize_t>(line.size()));
  char b[64];
  (void)::recv(fd, b, sizeof b, 0);  // the server answers with an alert and closes
  ::close(fd);
  EXPECT_TRUE(wait_events(ch, 1).empty());
  for (int i = 0; i < 100 && src->metrics()->counter("TlsHandshakeFailCount").get() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(src->metrics()->counter("TlsHandshakeFailCount").get(), 1);
}

TEST_F(TlsSyslog, ClientCertificateRequiredRefusesClientsWithout) {
  auto kv = pem();
  kv["ssl-client-auth"] = "required";
  kv["ssl-ca"] = certs.ca;
  ASSERT_TRUE(start(kv)) << errors();
  std::string m = "<13>Nov 25 10:00:01 web2 app: with cert\n";
  EXPECT_TRUE(tls_send(port(), {certs.ca}, "<13>Nov 25 10:00:01 web2 app: no cert\n").starts_with("error"));
  EXPECT_FALSE(tls_send(port(), {certs.ca, certs.client_cert, certs.client_key}, m).starts_with("error"));
  auto got = wait_events(ch, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "app: with cert");
}

TEST_F(TlsSyslog, Pkcs12KeystoreWithFlumeKeys) {
  ASSERT_TRUE(start({{"keystore", certs.server_p12},
                     {"keystore-password", test::TestCerts::p12_password},
                     {"keystore-type", "PKCS12"}}))
      << errors();
  EXPECT_FALSE(tls_send(port(), {certs.ca}, "<13>Nov 25 10:00:01 h app: p12\n").starts_with("error"));
  EXPECT_EQ(wait_events(ch, 1).size(), 1u);
}

TEST_F(TlsSyslog, KeystoreFromFlumeEnvironmentVariables) {
  setenv("FLUME_SSL_KEYSTORE_PATH", certs.server_p12.c_str(), 1);
  setenv("FLUME_SSL_KEYSTORE_PASSWORD", test::TestCerts::p12_password, 1);
  bool ok = start({});
  unsetenv("FLUME_SSL_KEYSTORE_PATH");
  unsetenv("FLUME_SSL_KEYSTORE_PASSWORD");
  ASSERT_TRUE(ok) << errors();
  EXPECT_FALSE(tls_send(port(), {certs.ca}, "<13>Nov 25 10:00:01 h app: env\n").starts_with("error"));
  EXPECT_EQ(wait_events(ch, 1).size(), 1u);
}

TEST_F(TlsSyslog, ProtocolsFollowIncludeAndExclude) {
  auto kv = pem();
  kv["exclude-protocols"] = "SSLv3 TLSv1.2";
  ASSERT_TRUE(start(kv)) << errors();
  EXPECT_TRUE(tls_send(port(), {certs.ca, "", "", TLS1_2_VERSION}, "x\n").starts_with("error"));
  EXPECT_FALSE(tls_send(port(), {certs.ca}, "<13>Nov 25 10:00:01 h app: tls13\n").starts_with("error"));
}

TEST_F(TlsSyslog, CipherSuitesByStandardName) {
  auto kv = pem();
  kv["include-protocols"] = "TLSv1.2";
  kv["include-cipher-suites"] = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
  ASSERT_TRUE(start(kv)) << errors();
  EXPECT_EQ(tls_send(port(), {certs.ca}, "<13>Nov 25 10:00:01 h app: c\n"), "ECDHE-ECDSA-AES256-GCM-SHA384");
  EXPECT_TRUE(
      tls_send(port(), {certs.ca, "", "", 0, "ECDHE-ECDSA-AES128-GCM-SHA256"}, "x\n").starts_with("error"));
}

// --- configuration errors name the key and what was expected ---

std::string config_error(const std::map<std::string, std::string>& kv) {
  Diagnostics d;
  auto ctx = make_context(kv, &d);
  auto c = tls::server_context(ctx);
  EXPECT_EQ(c, nullptr);
  return d.format();
}

TEST(TlsConfig, JavaKeystoreGetsTheConversionCommand) {
  test::TestCerts certs;
  auto e = config_error({{"ssl", "true"}, {"keystore", certs.jks}, {"keystore-password", "x"}});
  EXPECT_NE(e.find("keystore"), std::string::npos) << e;
  EXPECT_NE(e.find("keytool -importkeystore"), std::string::npos) << e;
}

TEST(TlsConfig, WrongKeystorePasswordIsReported) {
  test::TestCerts certs;
  auto e = config_error({{"ssl", "true"}, {"keystore", certs.server_p12}, {"keystore-password", "wrong"},
                         {"keystore-type", "PKCS12"}});
  EXPECT_NE(e.find("wrong password"), std::string::npos) << e;
}

TEST(TlsConfig, MissingCertificateUnknownProtocolAndCipher) {
  test::TestCerts certs;
  EXPECT_NE(config_error({{"ssl", "true"}}).find("needs a certificate"), std::string::npos);
  auto e = config_error({{"ssl", "true"}, {"ssl-certificate", certs.server_cert}, {"ssl-key", certs.server_key},
                         {"include-protocols", "TLSv9"}, {"include-cipher-suites", "TLS_NOT_A_SUITE"}});
  EXPECT_NE(e.find("'TLSv9' is not a protocol"), std::string::npos) << e;
  EXPECT_NE(e.find("'TLS_NOT_A_SUITE' is not a cipher suite"), std::string::npos) << e;
}

TEST(TlsConfig, KeyNotMatchingCertificate) {
  test::TestCerts certs;
  auto e = config_error({{"ssl", "true"}, {"ssl-certificate", certs.server_cert}, {"ssl-key", certs.client_key}});
  EXPECT_FALSE(e.empty());
}

TEST(TlsConfig, ClientAuthNeedsTrustedCas) {
  test::TestCerts certs;
  auto e = config_error({{"ssl", "true"}, {"ssl-certificate", certs.server_cert}, {"ssl-key", certs.server_key},
                         {"ssl-client-auth", "required"}});
  EXPECT_NE(e.find("needs ssl-ca or truststore"), std::string::npos) << e;
}

TEST(TlsConfig, ExcludedCipherSuitesAreNotOffered) {
  test::TestCerts certs;
  auto ctx = make_context({{"ssl", "true"}, {"ssl-certificate", certs.server_cert}, {"ssl-key", certs.server_key},
                           {"exclude-cipher-suites", "TLS_AES_128_GCM_SHA256 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}});
  auto c = tls::server_context(ctx);
  ASSERT_NE(c, nullptr);
  std::set<std::string> offered;
  STACK_OF(SSL_CIPHER)* list = SSL_CTX_get_ciphers(c->native_handle());
  for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) offered.insert(SSL_CIPHER_standard_name(sk_SSL_CIPHER_value(list, i)));
  EXPECT_FALSE(offered.count("TLS_AES_128_GCM_SHA256"));
  EXPECT_FALSE(offered.count("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
  EXPECT_TRUE(offered.count("TLS_AES_256_GCM_SHA384"));  // the rest of the defaults stay
  EXPECT_TRUE(offered.count("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"));
}

TEST(TlsConfig, SslOffMeansNoContext) {
  auto ctx = make_context({});
  EXPECT_EQ(tls::server_context(ctx), nullptr);
  EXPECT_FALSE(tls::client_context(ctx).has_value());
}

}  // namespace
}  // namespace sluice
