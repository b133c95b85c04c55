// SigV4 signer against the AWS Signature Version 4 test-suite vectors in tests/fixtures/sigv4/.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sinks/backends/s3/sigv4.hpp"

namespace sluice::s3 {
namespace {

const std::string kDir = std::string(SLUICE_TEST_FIXTURES) + "/sigv4/";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Credentials suite_credentials() {
  Credentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  return c;
}

// Parses the suite's NAME.req: "METHOD /path?query HTTP/1.1", "Name:value" lines, blank line, body.
SigningRequest parse_req(const std::string& text) {
  SigningRequest r;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  auto sp1 = line.find(' '), sp2 = line.rfind(' ');
  r.method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  auto qpos = target.find('?');
  r.path = target.substr(0, qpos);
  if (qpos != std::string::npos) {
    std::istringstream qs(target.substr(qpos + 1));
    std::string pair;
    while (std::getline(qs, pair, '&')) {
      auto eq = pair.find('=');
      r.query.emplace_back(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
    }
  }
  while (std::getline(in, line) && !line.empty()) {
    auto colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  r.payload_sha256 = sha256_hex(body);
  return r;
}

class SuiteVector : public ::testing::TestWithParam<std::string> {};

TEST_P(SuiteVector, MatchesPublishedValues) {
  const std::string name = GetParam();
  std::string req = slurp(kDir + name + ".req");
  ASSERT_FALSE(req.empty()) << "missing fixture " << name << ".req";
  SigningParams p;
  p.service = "service";
  p.add_content_sha256_header = false;
  p.amz_date = "20150830T123600Z";
  auto signed_req = sign_v4(parse_req(req), suite_credentials(), p);
  if (auto creq = slurp(kDir + name + ".creq"); !creq.empty()) {
    EXPECT_EQ(signed_req.canonical_request, creq);
  }
  if (auto sts = slurp(kDir + name + ".sts"); !sts.empty()) {
    EXPECT_EQ(signed_req.string_to_sign, sts);
  }
  EXPECT_EQ(signed_req.authorization, slurp(kDir + name + ".authz"));
}

INSTANTIATE_TEST_SUITE_P(AwsSigV4TestSuite, SuiteVector,
                         ::testing::Values("get-vanilla", "get-vanilla-query-order-key", "get-vanilla-query-order-value",
                                           "get-vanilla-empty-query-key", "get-unreserved", "get-utf8",
                                           "get-header-value-trim", "post-vanilla", "post-x-www-form-urlencoded",
                                           "post-sts-header-before"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(SigV4, HmacMatchesRfc4231Case2) {
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SigV4, IncrementalHashEqualsOneShot) {
  Sha256 h;
  h.update("Param1=");
  h.update("value1");
  EXPECT_EQ(h.hex_digest(), sha256_hex("Param1=value1"));
  EXPECT_EQ(sha256_hex(""), kEmptySha256);
}

TEST(SigV4, UriEncodingKeepsUnreservedAndSlashOnlyInPaths) {
  EXPECT_EQ(uri_encode("logs/2026 11/a+b=c&d~e.gz", true), "logs/2026%2011/a%2Bb%3Dc%26d~e.gz");
  EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(uri_encode("\xc3\xa9", true), "%C3%A9");
}

TEST(SigV4, S3RequestCarriesPayloadHashDateAndToken) {
  Credentials c = suite_credentials();
  c.session_token = "TOKEN";
  SigningRequest r;
  r.method = "PUT";
  r.path = "/bucket/dir/a b.txt";
  r.headers = {{"Host", "127.0.0.1:9000"}};
  r.payload_sha256 = std::string(kUnsignedPayload);
  SigningParams p;
  p.amz_date = "20261124T000000Z";
  auto s = sign_v4(r, c, p);
  EXPECT_EQ(s.signed_headers, "host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
  EXPECT_NE(s.canonical_request.find("\n/bucket/dir/a%20b.txt\n"), std::string::npos);
  EXPECT_TRUE(s.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
  bool has_token = false;
  for (auto& [k, v] : s.headers) has_token |= (k == "x-amz-security-token" && v == "TOKEN");
  EXPECT_TRUE(has_token);
  // The secret never appears in anything the signer returns.
  EXPECT_EQ(s.authorization.find(c.secret_access_key), std::string::npos);
}

TEST(SigV4, RejectsMalformedDate) {
  SigningRequest r;
  r.method = "GET";
  r.headers = {{"host", "h"}};
  SigningParams p;
  p.amz_date = "2015-08-30";
  EXPECT_THROW(sign_v4(r, suite_credentials(), p), std::invalid_argument);
}

}  // namespace
}  // namespace sluice::s3
