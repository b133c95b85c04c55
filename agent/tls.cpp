#include "agent/tls.hpp"

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

namespace sluice::tls {
namespace ssl = boost::asio::ssl;

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

namespace {

// Names Flume 1.8 and older used for the http source's TLS keys (Flume 1.9 still reads them).
const char* deprecated_name(std::string_view key) {
  if (key == "ssl") return "enableSSL";
  if (key == "keystore-password") return "keystorePassword";
  if (key == "exclude-protocols") return "excludeProtocols";
  return nullptr;
}

// The deprecated spelling of key when only that one is set (with a warning naming the new key).
std::optional<std::string> deprecated_value(Context& ctx, std::string_view key) {
  const char* old = deprecated_name(key);
  if (!old || ctx.has(key) || !ctx.has(old)) return std::nullopt;
  ctx.warning(old, std::string("is deprecated; use ") + std::string(key));
  return ctx.get_optional(old, "deprecated spelling");
}

// A component key, else its deprecated spelling, else Flume's global environment variable, else "".
std::string key_or_env(Context& ctx, const char* key, const char* env, std::string_view doc) {
  if (auto v = deprecated_value(ctx, key)) return *v;
  if (auto v = ctx.get_optional(key, doc)) return *v;
  const char* e = std::getenv(env);
  return e ? e : "";
}

bool ssl_enabled(Context& ctx, std::string_view doc) {
  if (auto v = deprecated_value(ctx, "ssl")) return *v == "true" || *v == "TRUE" || *v == "True";
  return ctx.get_bool("ssl", false, doc);
}

// Space- or comma-separated (component keys use spaces, Flume's environment variables commas).
std::vector<std::string> split_names(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s + " ") {
    if (c == ' ' || c == ',' || c == '\t') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

struct Pkcs12Contents {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* chain = nullptr;
  ~Pkcs12Contents() {
    EVP_PKEY_free(key);
    X509_free(cert);
    sk_X509_pop_free(chain, X509_free);
  }
};

bool is_java_keystore(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  unsigned char m[4] = {};
  f.read(reinterpret_cast<char*>(m), 4);
  return f && ((m[0] == 0xFE && m[1] == 0xED && m[2] == 0xFE && m[3] == 0xED) ||
               (m[0] == 0xCE && m[1] == 0xCE && m[2] == 0xCE && m[3] == 0xCE));
}

std::string jks_advice(const std::string& path) {
  return "'" + path + "' is a Java keystore (JKS/JCEKS), which only Java can read; convert it once with `keytool " +
         "-importkeystore -srckeystore " + path + " -destkeystore " + path + ".p12 -deststoretype PKCS12` and " +
         "point the key at the .p12 file with type PKCS12";
}

// Reads a PKCS12 store; false with a reason.
bool read_pkcs12(const std::string& path, const std::string& password, Pkcs12Contents& out, std::string& why) {
  if (is_java_keystore(path)) {
    why = jks_advice(path);
    return false;
  }
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    why = "cannot open '" + path + "'";
    return false;
  }
  PKCS12* p12 = d2i_PKCS12_fp(f, nullptr);
  std::fclose(f);
  if (!p12) {
    why = "'" + path + "' is not a PKCS12 store (" + openssl_errors() + ")";
    return false;
  }
  bool ok = PKCS12_parse(p12, password.c_str(), &out.key, &out.cert, &out.chain) == 1;
  PKCS12_free(p12);
  if (!ok) why = "cannot open PKCS12 store '" + path + "' (wrong password?): " + openssl_errors();
  return ok;
}

std::string normalized_type(const std::string& t) {
  std::string u;
  for (char c : t) u += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u.empty() ? "JKS" : u;
}

// Loads our own certificate and key: PEM files (ssl-certificate, ssl-key) or a keystore.
void load_identity(Context& ctx, SSL_CTX* c, bool required) {
  std::string cert = ctx.get_string("ssl-certificate", "", "PEM certificate chain (sluice; instead of keystore)");
  std::string key = ctx.get_string("ssl-key", "", "PEM private key for ssl-certificate (sluice)");
  std::string key_pass = ctx.get_string("ssl-key-password", "", "password of an encrypted ssl-key (sluice)");
  std::string store = key_or_env(ctx, "keystore", "FLUME_SSL_KEYSTORE_PATH", "keystore file (PKCS12 or PEM)");
  std::string pass =
      key_or_env(ctx, "keystore-password", "FLUME_SSL_KEYSTORE_PASSWORD", "password of the keystore");
  std::string type = normalized_type(
      key_or_env(ctx, "keystore-type", "FLUME_SSL_KEYSTORE_TYPE", "JKS (read as PKCS12 if it is one), PKCS12 or PEM"));
  if (!cert.empty()) {
    if (SSL_CTX_use_certificate_chain_file(c, cert.c_str()) != 1)
      return ctx.error("ssl-certificate", "cannot use '" + cert + "' (expected a PEM certificate chain): " +
                                               openssl_errors());
    std::string k = key.empty() ? cert : key;
    if (!key_pass.empty()) SSL_CTX_set_default_passwd_cb_userdata(c, key_pass.data());
    int rc = SSL_CTX_use_PrivateKey_file(c, k.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_set_default_passwd_cb_userdata(c, nullptr);
    if (rc != 1)
      return ctx.error(key.empty() ? "ssl-certificate" : "ssl-key",
                       "cannot read the private key from '" + k + "' (expected a PEM key; ssl-key-password if it is "
                       "encrypted): " + openssl_errors());
  } else if (!store.empty()) {
    if (type == "PEM") {
      if (SSL_CTX_use_certificate_chain_file(c, store.c_str()) != 1 ||
          SSL_CTX_use_PrivateKey_file(c, store.c_str(), SSL_FILETYPE_PEM) != 1)
        return ctx.error("keystore", "cannot read certificate and key from PEM keystore '" + store + "': " +
                                         openssl_errors());
    } else if (type == "PKCS12" || type == "JKS") {
      Pkcs12Contents p;
      std::string why;
      if (!read_pkcs12(store, pass, p, why)) return ctx.error("keystore", why);
      if (!p.cert || !p.key) return ctx.error("keystore", "'" + store + "' holds no private key with its certificate");
      SSL_CTX_use_certificate(c, p.cert);
      SSL_CTX_use_PrivateKey(c, p.key);
      for (int i = 0; p.chain && i < sk_X509_num(p.chain); ++i) {
        X509* x = sk_X509_value(p.chain, i);
        X509_up_ref(x);
        SSL_CTX_add_extra_chain_cert(c, x);
      }
    } else {
      return ctx.error("keystore-type", "'" + type + "' is not a keystore type sluice reads (expected PKCS12, PEM or JKS)");
    }
  } else {
    if (required)
      ctx.error("ssl", "TLS needs a certificate: set keystore (+ keystore-password) or ssl-certificate and ssl-key");
    return;
  }
  if (SSL_CTX_check_private_key(c) != 1)
    ctx.error(cert.empty() ? "keystore" : "ssl-key", "the private key does not belong to the certificate");
}

// Loads the certificates trusted to verify the peer: ssl-ca (PEM) or a truststore. Returns false if none given.
bool load_trust(Context& ctx, SSL_CTX* c) {
  std::string ca = ctx.get_string("ssl-ca", "", "PEM file of trusted CA certificates (sluice)");
  std::string store = key_or_env(ctx, "truststore", "FLUME_SSL_TRUSTSTORE_PATH", "truststore file (PKCS12 or PEM)");
  std::string pass =
      key_or_env(ctx, "truststore-password", "FLUME_SSL_TRUSTSTORE_PASSWORD", "password of the truststore");
  std::string type = normalized_type(
      key_or_env(ctx, "truststore-type", "FLUME_SSL_TRUSTSTORE_TYPE", "JKS (read as PKCS12 if it is one), PKCS12 or PEM"));
  if (!ca.empty()) {
    if (SSL_CTX_load_verify_locations(c, ca.c_str(), nullptr) != 1)
      ctx.error("ssl-ca", "cannot read '" + ca + "' (expected PEM CA certificates): " + openssl_errors());
    return true;
  }
  if (store.empty()) return false;
  if (type == "PEM") {
    if (SSL_CTX_load_verify_locations(c, store.c_str(), nullptr) != 1)
      ctx.error("truststore", "cannot read PEM truststore '" + store + "': " + openssl_errors());
    return true;
  }
  Pkcs12Contents p;
  std::string why;
  if (!read_pkcs12(store, pass, p, why)) {
    ctx.error("truststore", why);
    return true;
  }
  X509_STORE* xs = SSL_CTX_get_cert_store(c);
  if (p.cert) X509_STORE_add_cert(xs, p.cert);
  for (int i = 0; p.chain && i < sk_X509_num(p.chain); ++i) X509_STORE_add_cert(xs, sk_X509_value(p.chain, i));
  return true;
}

// include-protocols / exclude-protocols → the enabled TLS versions.
void apply_protocols(Context& ctx, SSL_CTX* c) {
  static const std::map<std::string, int> versions = {
      {"TLSv1", TLS1_VERSION}, {"TLSv1.1", TLS1_1_VERSION}, {"TLSv1.2", TLS1_2_VERSION}, {"TLSv1.3", TLS1_3_VERSION}};
  static const std::set<std::string> legacy = {"SSLv2", "SSLv2Hello", "SSLv3"};
  auto include = split_names(key_or_env(ctx, "include-protocols", "FLUME_SSL_INCLUDE_PROTOCOLS",
                                        "protocols to enable, space separated (default TLSv1.2 TLSv1.3)"));
  auto exclude = split_names(key_or_env(ctx, "exclude-protocols", "FLUME_SSL_EXCLUDE_PROTOCOLS",
                                        "protocols to disable, space separated (SSLv3 is always disabled)"));
  std::set<int> on = {TLS1_2_VERSION, TLS1_3_VERSION};
  if (!include.empty()) {
    on.clear();
    for (const auto& p : include) {
      if (auto it = versions.find(p); it != versions.end()) on.insert(it->second);
      else if (!legacy.count(p))
        ctx.error("include-protocols", "'" + p + "' is not a protocol (expected TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)");
    }
  }
  for (const auto& p : exclude) {
    if (auto it = versions.find(p); it != versions.end()) on.erase(it->second);
    else if (!legacy.count(p))
      ctx.error("exclude-protocols", "'" + p + "' is not a protocol (expected SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)");
  }
  if (on.empty()) return ctx.error(include.empty() ? "exclude-protocols" : "include-protocols", "no protocol is left enabled");
  SSL_CTX_set_min_proto_version(c, *on.begin());
  SSL_CTX_set_max_proto_version(c, *on.rbegin());
  if (!on.count(TLS1_1_VERSION)) SSL_CTX_set_options(c, SSL_OP_NO_TLSv1_1);
  if (!on.count(TLS1_2_VERSION)) SSL_CTX_set_options(c, SSL_OP_NO_TLSv1_2);
  // Old versions need OpenSSL's security level 0 to negotiate at all.
  if (on.count(TLS1_VERSION) || on.count(TLS1_1_VERSION)) SSL_CTX_set_security_level(c, 0);
}

// include-cipher-suites / exclude-cipher-suites use standard (IANA, Java) names; OpenSSL wants its own.
void apply_ciphers(Context& ctx, SSL_CTX* c) {
  auto include = split_names(key_or_env(ctx, "include-cipher-suites", "FLUME_SSL_INCLUDE_CIPHERSUITES",
                                        "cipher suites to enable (standard names), space separated"));
  auto exclude = split_names(key_or_env(ctx, "exclude-cipher-suites", "FLUME_SSL_EXCLUDE_CIPHERSUITES",
                                        "cipher suites to disable (standard names), space separated"));
  if (include.empty() && exclude.empty()) return;
  // Standard name → (OpenSSL name, is TLS 1.3), from everything this OpenSSL knows.
  std::map<std::string, std::pair<std::string, bool>> known;
  SSL_CTX* all = SSL_CTX_new(TLS_method());
  SSL_CTX_set_security_level(all, 0);
  SSL_CTX_set_cipher_list(all, "ALL:COMPLEMENTOFALL");
  STACK_OF(SSL_CIPHER)* list = SSL_CTX_get_ciphers(all);
  for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
    const SSL_CIPHER* ci = sk_SSL_CIPHER_value(list, i);
    bool v13 = (SSL_CIPHER_get_protocol_id(ci) >> 8) == 0x13;
    known[SSL_CIPHER_standard_name(ci)] = {SSL_CIPHER_get_name(ci), v13};
  }
  SSL_CTX_free(all);
  auto resolve = [&](const char* key, const std::string& name) -> const std::pair<std::string, bool>* {
    auto it = known.find(name);
    if (it != known.end()) return &it->second;
    ctx.error(key, "'" + name + "' is not a cipher suite this OpenSSL offers (expected a standard name such as "
                                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or TLS_AES_128_GCM_SHA256)");
    return nullptr;
  };
  // Without include-cipher-suites: OpenSSL's defaults, minus the excluded ones.
  std::vector<std::string> v12, v13;
  if (include.empty()) {
    v12 = {"DEFAULT"};
    v13 = {"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"};
  }
  for (const auto& n : include)
    if (auto r = resolve("include-cipher-suites", n)) (r->second ? v13 : v12).push_back(r->first);
  for (const auto& n : exclude)
    if (auto r = resolve("exclude-cipher-suites", n)) {
      if (r->second) std::erase(v13, r->first);
      else v12.push_back("!" + r->first);
    }
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ":") + x;
    return out;
  };
  std::string suites13 = join(v13);
  // "!ALL": only TLS 1.3 suites were named, no TLS 1.2 suite stays enabled.
  if (SSL_CTX_set_cipher_list(c, v12.empty() ? "!ALL" : join(v12).c_str()) != 1 && suites13.empty())
    ctx.error(include.empty() ? "exclude-cipher-suites" : "include-cipher-suites", "no cipher suite is left enabled");
  ERR_clear_error();
  SSL_CTX_set_ciphersuites(c, suites13.c_str());
}

std::shared_ptr<ssl::context> new_context(ssl::context::method m) {
  auto c = std::make_shared<ssl::context>(m);
  c->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                 ssl::context::single_dh_use);
  return c;
}

}  // namespace

std::shared_ptr<ssl::context> server_context(Context& ctx) {
  if (!ssl_enabled(ctx, "accept TLS connections only")) return nullptr;
  size_t errors = ctx.diagnostics().error_count();
  auto c = new_context(ssl::context::tls_server);
  SSL_CTX* h = c->native_handle();
  // No TLS 1.3 session tickets: they are the only bytes a server sends unasked after the handshake, and
  // a send-only client (a syslog sender) that closes without reading them makes its kernel answer with
  // a reset, which throws away whatever it sent that we had not read yet. Measured: 36 % lost.
  SSL_CTX_set_num_tickets(h, 0);
  load_identity(ctx, h, true);
  std::string auth = ctx.get_choice("ssl-client-auth", "none", {"none", "optional", "required"},
                                    "client certificates: none, optional (verified if sent) or required (mTLS)");
  bool trust = load_trust(ctx, h);
  if (auth != "none") {
    if (!trust) ctx.error("ssl-client-auth", "verifying client certificates needs ssl-ca or truststore");
    int mode = SSL_VERIFY_PEER | (auth == "required" ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
    SSL_CTX_set_verify(h, mode, nullptr);
    static const unsigned char sid[] = "sluice";
    SSL_CTX_set_session_id_context(h, sid, sizeof sid - 1);
  }
  apply_protocols(ctx, h);
  apply_ciphers(ctx, h);
  ERR_clear_error();
  return ctx.diagnostics().error_count() > errors ? nullptr : c;
}

std::optional<ClientTls> client_context(Context& ctx) {
  if (!ssl_enabled(ctx, "connect with TLS")) return std::nullopt;
  size_t errors = ctx.diagnostics().error_count();
  ClientTls out;
  out.context = new_context(ssl::context::tls_client);
  SSL_CTX* h = out.context->native_handle();
  bool trust_all = ctx.get_bool("trust-all-certs", false, "accept any server certificate (unsafe; as Flume)");
  out.verify_hostname = ctx.get_bool("ssl-verify-hostname", true,
                                     "check that the server certificate names the host (sluice; Flume does not)");
  if (!load_trust(ctx, h)) SSL_CTX_set_default_verify_paths(h);  // as Java: the system's trusted CAs
  SSL_CTX_set_verify(h, trust_all ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
  if (trust_all) out.verify_hostname = false;
  load_identity(ctx, h, false);
  apply_protocols(ctx, h);
  apply_ciphers(ctx, h);
  ERR_clear_error();
  if (ctx.diagnostics().error_count() > errors) return std::nullopt;
  return out;
}

}  // namespace sluice::tls
