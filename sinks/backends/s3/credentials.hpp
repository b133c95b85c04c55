// AWS credentials provider chain, in the order the AWS SDKs use:
//   1. explicit keys from the sink's configuration (accessKey / secretKey / sessionToken)
//   2. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
//   3. shared credentials file: AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, profile from the
//      config key, else AWS_PROFILE, else "default"
//   4. EC2 instance metadata (IMDSv2: PUT a session token, then GET the role's credentials), behind a
//      short timeout; off when AWS_EC2_METADATA_DISABLED=true; endpoint overridable for tests.
// Temporary credentials are cached and refreshed 5 minutes before they expire.
// Secrets never appear in logs or exception messages: only the key id's first 4 characters and
// the source are shown.
#pragma once
#include <chrono>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "sinks/backends/s3/sigv4.hpp"

namespace sluice::s3 {

struct CredentialsConfig {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string profile;           // empty: AWS_PROFILE, else "default"
  std::string credentials_file;  // empty: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials
  bool use_imds = true;
  std::string imds_endpoint;  // empty: AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254
  std::chrono::milliseconds imds_timeout{1000};
};

class CredentialsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "AKID…(environment)": safe to log.
std::string describe(const Credentials& c);

// Each source alone; nullopt when it has nothing. Throw CredentialsError when a source exists but is
// broken (e.g. a profile with an id and no secret), naming the file/line, never the secret.
std::optional<Credentials> credentials_from_environment();
std::optional<Credentials> credentials_from_shared_file(const std::string& path, const std::string& profile);
std::optional<Credentials> credentials_from_imds(const std::string& endpoint, std::chrono::milliseconds timeout);

class CredentialsProvider {
 public:
  explicit CredentialsProvider(CredentialsConfig cfg) : cfg_(std::move(cfg)) {}
  // The first source in the chain that has credentials. Throws CredentialsError listing what was tried.
  Credentials get();
  // Drops the cache (after ExpiredToken / InvalidAccessKeyId), so the next get() looks again.
  void invalidate();

 private:
  Credentials resolve();
  CredentialsConfig cfg_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
};

}  // namespace sluice::s3
