// Credentials chain: config keys, environment, shared credentials file with profiles, IMDSv2 against a
// fake metadata server on 127.0.0.1 (never the real 169.254.169.254); secrets never in messages.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "fake_http_server.hpp"
#include "sinks/backends/s3/credentials.hpp"

namespace sluice::s3 {
namespace {

using test::FakeHttpServer;

// Saves and clears the AWS_* variables the chain reads; restores them afterwards.
class AwsEnv {
 public:
  AwsEnv() {
    for (const char* n : kNames) {
      if (const char* v = std::getenv(n)) saved_.emplace_back(n, v);
      ::unsetenv(n);
    }
    ::setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
    ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  }
  ~AwsEnv() {
    for (const char* n : kNames) ::unsetenv(n);
    for (auto& [n, v] : saved_) ::setenv(n.c_str(), v.c_str(), 1);
  }

 private:
  static constexpr const char* kNames[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                                           "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE",
                                           "AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT"};
  std::vector<std::pair<std::string, std::string>> saved_;
};

std::string write_file(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("sluice-creds-" + std::to_string(::getpid()) + "-" +
                                                         std::to_string(std::rand()));
  std::ofstream(path) << text;
  return path.string();
}

TEST(S3Credentials, ConfigKeysComeFirst) {
  AwsEnv env;
  ::setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
  CredentialsConfig cfg;
  cfg.access_key_id = "CFGKEY";
  cfg.secret_access_key = "CFGSECRET";
  auto c = CredentialsProvider(cfg).get();
  EXPECT_EQ(c.access_key_id, "CFGKEY");
  EXPECT_EQ(c.source, "config");
}

TEST(S3Credentials, HalfConfiguredKeysAreAnErrorWithoutTheSecret) {
  AwsEnv env;
  CredentialsConfig cfg;
  cfg.secret_access_key = "TOPSECRET";
  try {
    CredentialsProvider(cfg).get();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    EXPECT_EQ(std::string(e.what()).find("TOPSECRET"), std::string::npos);
  }
}

TEST(S3Credentials, EnvironmentWithSessionToken) {
  AwsEnv env;
  ::setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
  ::setenv("AWS_SESSION_TOKEN", "ENVTOKEN", 1);
  auto c = CredentialsProvider({}).get();
  EXPECT_EQ(c.access_key_id, "ENVKEY");
  EXPECT_EQ(c.session_token, "ENVTOKEN");
  EXPECT_EQ(c.source, "environment");
  EXPECT_EQ(describe(c).find("ENVSECRET"), std::string::npos);
}

TEST(S3Credentials, SharedFileProfiles) {
  AwsEnv env;
  std::string file = write_file(
      "# comment\n[default]\naws_access_key_id = DEFKEY\naws_secret_access_key = DEFSECRET\n\n"
      "[profile ingest]\naws_access_key_id=INGKEY\naws_secret_access_key=INGSECRET\naws_session_token = INGTOK\n"
      "[broken]\naws_access_key_id = BROKENKEY\n");
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", file.c_str(), 1);
  EXPECT_EQ(CredentialsProvider({}).get().access_key_id, "DEFKEY");
  ::setenv("AWS_PROFILE", "ingest", 1);
  auto c = CredentialsProvider({}).get();
  EXPECT_EQ(c.access_key_id, "INGKEY");
  EXPECT_EQ(c.session_token, "INGTOK");
  CredentialsConfig cfg;
  cfg.profile = "default";  // the config key beats AWS_PROFILE
  EXPECT_EQ(CredentialsProvider(cfg).get().access_key_id, "DEFKEY");
  cfg.profile = "broken";
  try {
    CredentialsProvider(cfg).get();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find(file + ":11"), std::string::npos) << e.what();
  }
  std::filesystem::remove(file);
}

TEST(S3Credentials, NothingFoundListsWhatWasTried) {
  AwsEnv env;
  try {
    CredentialsProvider({}).get();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("environment"), std::string::npos);
    EXPECT_NE(m.find("/nonexistent/credentials"), std::string::npos);
  }
}

FakeHttpServer::Reply imds(const FakeHttpServer::Request& r) {
  if (r.method == "PUT" && r.target == "/latest/api/token") {
    if (r.headers.count("x-aws-ec2-metadata-token-ttl-seconds") == 0) return {400, {}, "ttl required"};
    return {200, {}, "IMDSTOKEN"};
  }
  if (r.headers.count("x-aws-ec2-metadata-token") == 0 || r.headers.at("x-aws-ec2-metadata-token") != "IMDSTOKEN")
    return {401, {}, ""};
  if (r.target == "/latest/meta-data/iam/security-credentials/") return {200, {}, "sluice-role\n"};
  if (r.target == "/latest/meta-data/iam/security-credentials/sluice-role")
    return {200,
            {},
            R"({"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS","SecretAccessKey":"IMDSSECRET",)"
            R"("Token":"IMDSSESSION","Expiration":"2099-01-01T00:00:00Z"})"};
  return {404, {}, ""};
}

TEST(S3Credentials, ImdsV2TokenThenRoleCredentials) {
  AwsEnv env;
  FakeHttpServer server(imds);
  ::unsetenv("AWS_EC2_METADATA_DISABLED");
  CredentialsConfig cfg;
  cfg.imds_endpoint = server.endpoint();
  auto c = CredentialsProvider(cfg).get();
  EXPECT_EQ(c.access_key_id, "ASIAIMDS");
  EXPECT_EQ(c.secret_access_key, "IMDSSECRET");
  EXPECT_EQ(c.session_token, "IMDSSESSION");
  EXPECT_EQ(c.source, "imds role sluice-role");
  EXPECT_GT(c.expiration, std::chrono::system_clock::now());
  auto reqs = server.requests();
  ASSERT_GE(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "PUT");  // IMDSv2: session token first
}

TEST(S3Credentials, ImdsWithoutRoleOrUnreachableGivesNothing) {
  FakeHttpServer no_role([](const FakeHttpServer::Request& r) -> FakeHttpServer::Reply {
    if (r.method == "PUT") return {200, {}, "T"};
    return {404, {}, ""};
  });
  EXPECT_FALSE(credentials_from_imds(no_role.endpoint(), std::chrono::milliseconds(2000)));
  // A metadata service that never answers: the short timeout ends the wait.
  FakeHttpServer silent([](const FakeHttpServer::Request&) {
    FakeHttpServer::Reply r;
    r.action = FakeHttpServer::Reply::Hang;
    return r;
  });
  EXPECT_FALSE(credentials_from_imds(silent.endpoint(), std::chrono::milliseconds(200)));
}

TEST(S3Credentials, ImdsMalformedDocumentIsAClearError) {
  FakeHttpServer bad([](const FakeHttpServer::Request& r) -> FakeHttpServer::Reply {
    if (r.method == "PUT") return {200, {}, "T"};
    if (r.target.ends_with("/")) return {200, {}, "role"};
    return {200, {}, "{not json"};
  });
  EXPECT_THROW(credentials_from_imds(bad.endpoint(), std::chrono::milliseconds(2000)), CredentialsError);
}

}  // namespace
}  // namespace sluice::s3
