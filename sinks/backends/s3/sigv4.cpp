#include "sinks/backends/s3/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>
#include <stdexcept>

namespace sluice::s3 {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Header values are trimmed and inner runs of spaces collapse to one (SigV4 canonical form).
std::string canonical_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool has_header(const HeaderList& h, std::string_view name) {
  return std::any_of(h.begin(), h.end(), [&](const auto& kv) { return lower(kv.first) == name; });
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
}
Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}
std::string Sha256::hex_digest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &len);
  return hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex_digest();
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len))
    throw std::runtime_error("OpenSSL: HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

std::string amz_date(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

SignedRequest sign_v4(const SigningRequest& req, const Credentials& creds, const SigningParams& params) {
  SignedRequest out;
  out.headers = req.headers;
  std::string date = params.amz_date.empty() ? amz_date(std::chrono::system_clock::now()) : params.amz_date;
  if (date.size() != 16) throw std::invalid_argument("SigV4: x-amz-date must look like 20150830T123600Z");
  if (!has_header(out.headers, "x-amz-date")) out.headers.emplace_back("x-amz-date", date);
  if (params.add_content_sha256_header && !has_header(out.headers, "x-amz-content-sha256"))
    out.headers.emplace_back("x-amz-content-sha256", req.payload_sha256);
  if (!creds.session_token.empty() && !has_header(out.headers, "x-amz-security-token"))
    out.headers.emplace_back("x-amz-security-token", creds.session_token);

  // Canonical headers: lower-case names, sorted; repeated names joined with ',' in order.
  std::vector<std::pair<std::string, std::string>> canon;
  for (const auto& [k, v] : out.headers) canon.emplace_back(lower(k), canonical_value(v));
  std::stable_sort(canon.begin(), canon.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical_headers, signed_headers;
  for (size_t i = 0; i < canon.size(); ++i) {
    if (i > 0 && canon[i].first == canon[i - 1].first) {
      canonical_headers.back() = ',';  // replace the previous '\n'
      canonical_headers += canon[i].second + "\n";
      continue;
    }
    canonical_headers += canon[i].first + ":" + canon[i].second + "\n";
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += canon[i].first;
  }

  std::vector<std::pair<std::string, std::string>> q;
  for (const auto& [k, v] : req.query) q.emplace_back(uri_encode(k, false), uri_encode(v, false));
  std::sort(q.begin(), q.end());
  std::string canonical_query;
  for (const auto& [k, v] : q) {
    if (!canonical_query.empty()) canonical_query += '&';
    canonical_query += k + "=" + v;
  }

  std::string path = req.path.empty() ? "/" : req.path;
  std::string canonical_uri = uri_encode(path, true);
  if (params.double_encode_path) canonical_uri = uri_encode(canonical_uri, true);

  out.canonical_request = req.method + "\n" + canonical_uri + "\n" + canonical_query + "\n" + canonical_headers +
                          "\n" + signed_headers + "\n" + req.payload_sha256;
  std::string day = date.substr(0, 8);
  std::string scope = day + "/" + params.region + "/" + params.service + "/aws4_request";
  out.string_to_sign = "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + sha256_hex(out.canonical_request);

  std::string k = hmac_sha256("AWS4" + creds.secret_access_key, day);
  k = hmac_sha256(k, params.region);
  k = hmac_sha256(k, params.service);
  k = hmac_sha256(k, "aws4_request");
  out.signature = hex(hmac_sha256(k, out.string_to_sign));
  out.signed_headers = signed_headers;
  out.authorization = "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + "/" + scope +
                      ", SignedHeaders=" + signed_headers + ", Signature=" + out.signature;
  out.headers.emplace_back("Authorization", out.authorization);
  return out;
}

}  // namespace sluice::s3
