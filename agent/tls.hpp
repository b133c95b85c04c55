// TLS settings for network components, read with Flume's keys (Flume 1.9 "SSL/TLS support").
//
// Listening side (avro, syslogtcp, multiport_syslogtcp and http sources):
//   ssl (false), keystore, keystore-password, keystore-type (JKS), exclude-protocols (SSLv3),
//   include-protocols, exclude-cipher-suites, include-cipher-suites;
//   sluice: ssl-certificate + ssl-key (PEM files, instead of a keystore), ssl-key-password,
//   ssl-client-auth (none | optional | required: mTLS), ssl-ca (PEM CAs trusted for client
//   certificates; or truststore / truststore-password / truststore-type).
// Connecting side (avro sink): ssl, trust-all-certs (false), truststore, truststore-password,
//   truststore-type (JKS), the protocol and cipher keys above; sluice: ssl-ca, ssl-verify-hostname
//   (true), ssl-certificate + ssl-key for a client certificate.
// A key not set on the component falls back to Flume's global FLUME_SSL_* environment variables.
// Keystores: PKCS12 and PEM are read by OpenSSL. A Java JKS store cannot be read outside Java; it is
// reported with the keytool command that converts it. Protocols default to TLSv1.2 and TLSv1.3
// (what current Java enables; SSLv3, TLSv1 and TLSv1.1 only when include-protocols names them).
// Cipher suites are given by their standard (IANA/Java) names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.
// Deliberate change from Flume: the avro sink checks that the server certificate names the host it
// connects to (Flume's Netty client does not); ssl-verify-hostname = false restores Flume's behaviour.
#pragma once
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>

#include "agent/context.hpp"

namespace sluice::tls {

// nullptr when `ssl` is false. Problems (unreadable keystore, wrong password, unknown protocol or
// cipher) are reported through ctx with the key and what was expected; then nullptr is returned.
std::shared_ptr<boost::asio::ssl::context> server_context(Context& ctx);

struct ClientTls {
  std::shared_ptr<boost::asio::ssl::context> context;
  bool verify_hostname = true;
};
// nullopt when `ssl` is false (or on errors, reported through ctx).
std::optional<ClientTls> client_context(Context& ctx);

// The OpenSSL error queue as text (emptied), for messages.
std::string openssl_errors();

}  // namespace sluice::tls
