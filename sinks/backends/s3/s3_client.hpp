// A small S3 REST client: the object calls the roller's S3 backend needs, SigV4-signed, over
// Boost.Beast (HTTPS with certificate verification, or plain HTTP for loopback test servers).
// Retries: capped exponential backoff with jitter on network errors, timeouts, 5xx, 503 SlowDown,
// 400 RequestTimeout and RequestTimeTooSkewed (after correcting the signing clock by the server's
// Date); ExpiredToken refreshes the credentials once. Other 4xx fail at once with the S3 error code.
// Thread-safe: each call borrows a kept-alive connection from a small pool.
#pragma once
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sinks/backends/s3/credentials.hpp"
#include "sinks/backends/s3/http_transport.hpp"
#include "sinks/backends/s3/s3_xml.hpp"

namespace sluice::s3 {

struct S3Config {
  std::string endpoint;  // empty: https://s3.<region>.amazonaws.com
  std::string region = "us-east-1";
  bool path_style = false;  // https://host/bucket/key instead of https://bucket.host/key
  TransportOptions transport;
  int max_attempts = 8;  // per request, first try included
  std::chrono::milliseconds backoff_base{200};
  std::chrono::milliseconds backoff_max{20000};
  bool unsigned_payload = false;  // UNSIGNED-PAYLOAD instead of hashing bodies (HTTPS only)
};

// Per-object settings sent on PutObject / CreateMultipartUpload.
struct ObjectOptions {
  std::string content_type;
  std::string content_encoding;  // "gzip" for compressed rolls
  std::string storage_class;     // STANDARD, STANDARD_IA, GLACIER_IR, ...
  std::string acl;               // canned ACL: private, bucket-owner-full-control, ...
  std::string sse;               // "", "AES256" or "aws:kms"
  std::string kms_key_id;        // with aws:kms
  std::map<std::string, std::string> metadata;  // sent as x-amz-meta-<name>
};

class S3Error : public std::runtime_error {
 public:
  S3Error(const std::string& what, int status, std::string code, bool retryable)
      : std::runtime_error(what), status_(status), code_(std::move(code)), retryable_(retryable) {}
  int status() const { return status_; }          // 0 for network errors
  const std::string& code() const { return code_; }  // S3 error code, or "" if none
  bool retryable() const { return retryable_; }    // true when retries ran out on a transient error

 private:
  int status_;
  std::string code_;
  bool retryable_;
};

class S3Client {
 public:
  S3Client(S3Config cfg, std::shared_ptr<CredentialsProvider> creds);
  ~S3Client();

  void put_object(const std::string& bucket, const std::string& key, std::string_view body,
                  const ObjectOptions& opts = {});
  std::string create_multipart_upload(const std::string& bucket, const std::string& key,
                                      const ObjectOptions& opts = {});  // returns the upload id
  std::string upload_part(const std::string& bucket, const std::string& key, const std::string& upload_id,
                          int part_number, std::string_view body);  // returns the part's ETag
  void complete_multipart_upload(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                 const std::vector<CompletedPart>& parts);
  void abort_multipart_upload(const std::string& bucket, const std::string& key, const std::string& upload_id);
  ListResult list_objects_v2(const std::string& bucket, const std::string& prefix,
                             const std::string& continuation_token = {});
  std::string get_object(const std::string& bucket, const std::string& key);
  void delete_object(const std::string& bucket, const std::string& key);
  void head_bucket(const std::string& bucket);  // throws S3Error (NoSuchBucket / AccessDenied)

  const S3Config& config() const { return cfg_; }
  // Seconds the signing clock is shifted after a RequestTimeTooSkewed answer.
  int64_t clock_offset_seconds() const { return clock_offset_s_.load(); }

 private:
  struct Call {
    const char* operation;
    std::string method;
    std::string bucket;
    std::string key;
    std::vector<std::pair<std::string, std::string>> query;
    HeaderList headers;
    std::string_view body;
  };
  HttpResponse execute(const Call& call);
  HttpResponse attempt(const Call& call, const Endpoint& ep, const std::string& payload_hash);
  Endpoint endpoint_for(const std::string& bucket) const;
  std::unique_ptr<HttpTransport> borrow(const Endpoint& ep);
  void give_back(std::unique_ptr<HttpTransport> t);
  static HeaderList object_headers(const ObjectOptions& o);

  S3Config cfg_;
  Endpoint base_;
  std::shared_ptr<CredentialsProvider> creds_;
  std::atomic<int64_t> clock_offset_s_{0};
  std::mutex pool_mu_;
  std::map<std::string, std::vector<std::unique_ptr<HttpTransport>>> pool_;
};

}  // namespace sluice::s3
