#include "sinks/backends/s3/s3_client.hpp"

#include <random>
#include <thread>

#include "agent/log.hpp"

namespace sluice::s3 {
namespace {

// Transient S3 error codes worth another try (besides every 5xx).
bool retryable_code(const std::string& code) {
  return code == "SlowDown" || code == "InternalError" || code == "ServiceUnavailable" ||
         code == "RequestTimeout" || code == "RequestTimeTooSkewed" || code == "ExpiredToken" ||
         code == "OperationAborted";
}

std::chrono::milliseconds backoff(int attempt, std::chrono::milliseconds base, std::chrono::milliseconds cap) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t d = base.count() << std::min(attempt, 20);
  d = std::min<int64_t>(d, cap.count());
  // "Equal jitter": at least half the step, so retries never hammer a server that said SlowDown.
  std::uniform_int_distribution<int64_t> jitter(0, std::max<int64_t>(d / 2, 1));
  return std::chrono::milliseconds(d / 2 + jitter(rng));
}

std::string object_url(const std::string& bucket, const std::string& key) {
  return "s3://" + bucket + "/" + key;
}

// Parses an HTTP Date ("Tue, 24 Nov 2026 10:15:30 GMT").
std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& s) {
  std::tm tm{};
  if (s.empty() || !strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &tm)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

S3Client::S3Client(S3Config cfg, std::shared_ptr<CredentialsProvider> creds)
    : cfg_(std::move(cfg)), creds_(std::move(creds)) {
  std::string ep = cfg_.endpoint.empty() ? "https://s3." + cfg_.region + ".amazonaws.com" : cfg_.endpoint;
  base_ = Endpoint::parse(ep);
  if (cfg_.unsigned_payload && !base_.tls)
    throw std::invalid_argument("S3: unsigned payloads are only allowed over https (endpoint " + ep + ")");
}

S3Client::~S3Client() = default;

Endpoint S3Client::endpoint_for(const std::string& bucket) const {
  if (cfg_.path_style || bucket.empty()) return base_;
  Endpoint ep = base_;
  ep.host = bucket + "." + base_.host;
  return ep;
}

std::unique_ptr<HttpTransport> S3Client::borrow(const Endpoint& ep) {
  {
    std::lock_guard lock(pool_mu_);
    auto& idle = pool_[ep.host_header()];
    if (!idle.empty()) {
      auto t = std::move(idle.back());
      idle.pop_back();
      return t;
    }
  }
  return std::make_unique<HttpTransport>(ep, cfg_.transport);
}

void S3Client::give_back(std::unique_ptr<HttpTransport> t) {
  std::lock_guard lock(pool_mu_);
  auto& idle = pool_[t->endpoint().host_header()];
  if (idle.size() < 16) idle.push_back(std::move(t));
}

HttpResponse S3Client::attempt(const Call& call, const Endpoint& ep, const std::string& payload_hash) {
  std::string path = "/";
  if (cfg_.path_style && !call.bucket.empty()) path += call.bucket + (call.key.empty() ? "" : "/");
  path += call.key;
  std::string target = uri_encode(path, true);
  for (size_t i = 0; i < call.query.size(); ++i) {
    target += (i == 0 ? '?' : '&') + uri_encode(call.query[i].first, false);
    if (!call.query[i].second.empty()) target += "=" + uri_encode(call.query[i].second, false);
  }
  SigningRequest sreq{call.method, path, call.query, call.headers, payload_hash};
  sreq.headers.emplace_back("host", ep.host_header());
  SigningParams params;
  params.region = cfg_.region;
  params.amz_date = amz_date(std::chrono::system_clock::now() + std::chrono::seconds(clock_offset_s_.load()));
  auto signed_req = sign_v4(sreq, creds_->get(), params);
  auto transport = borrow(ep);
  auto res = transport->send({call.method, target, signed_req.headers, call.body});
  give_back(std::move(transport));
  return res;
}

HttpResponse S3Client::execute(const Call& call) {
  std::string payload_hash = cfg_.unsigned_payload ? std::string(kUnsignedPayload) : sha256_hex(call.body);
  Endpoint ep = endpoint_for(call.bucket);
  std::string where = std::string("S3 ") + call.operation + " " + object_url(call.bucket, call.key);
  static RateLimit retry_log;
  bool refreshed_credentials = false;
  for (int attempt_no = 1;; ++attempt_no) {
    std::string failure, code;
    int status = 0;
    try {
      HttpResponse res = attempt(call, ep, payload_hash);
      status = res.status;
      // CompleteMultipartUpload may answer 200 and put an <Error> in the body.
      bool error_body = status >= 300 || (call.method == "POST" && is_error_document(res.body));
      if (!error_body) return res;
      ErrorDocument doc = parse_error_document(res.body);
      code = doc.code;
      if (code.empty() && status == 404) code = call.key.empty() ? "NoSuchBucket" : "NoSuchKey";
      if (code.empty() && status == 403) code = "AccessDenied";
      failure = where + " failed: HTTP " + std::to_string(status) + (code.empty() ? "" : " " + code) +
                (doc.message.empty() ? "" : ": " + doc.message) +
                (doc.request_id.empty() ? "" : " (request id " + doc.request_id + ")");
      if (code == "RequestTimeTooSkewed") {
        if (auto server = parse_http_date(res.header("Date"))) {
          auto offset = std::chrono::round<std::chrono::seconds>(*server - std::chrono::system_clock::now());
          clock_offset_s_.store(offset.count());
          SLUICE_LOG(Error, "s3") << where << ": the local clock differs from the server's by " << offset.count()
                                  << " s (RequestTimeTooSkewed); signing with the server's time. Fix NTP on this host.";
        } else {
          SLUICE_LOG(Error, "s3") << where << ": RequestTimeTooSkewed and no Date header; fix NTP on this host";
        }
      }
      if ((code == "ExpiredToken" || code == "InvalidToken") && !refreshed_credentials) {
        refreshed_credentials = true;
        creds_->invalidate();
      }
      bool transient = status >= 500 || retryable_code(code);
      if (!transient) throw S3Error(failure, status, code, false);
    } catch (const TransportError& e) {
      failure = where + " failed: " + e.what();
    } catch (const CertificateError& e) {
      throw S3Error(where + " failed: " + e.what(), 0, "CertificateError", false);
    } catch (const CredentialsError& e) {
      throw S3Error(where + ": " + e.what(), 0, "NoCredentials", false);
    }
    if (attempt_no >= cfg_.max_attempts)
      throw S3Error(failure + " (gave up after " + std::to_string(attempt_no) + " attempts)", status, code, true);
    auto wait = backoff(attempt_no - 1, cfg_.backoff_base, cfg_.backoff_max);
    if (retry_log.allow())
      SLUICE_LOG(Warn, "s3") << failure << "; retry " << attempt_no << "/" << cfg_.max_attempts - 1 << " in "
                             << wait.count() << " ms";
    std::this_thread::sleep_for(wait);
  }
}

HeaderList S3Client::object_headers(const ObjectOptions& o) {
  HeaderList h;
  if (!o.content_type.empty()) h.emplace_back("Content-Type", o.content_type);
  if (!o.content_encoding.empty()) h.emplace_back("Content-Encoding", o.content_encoding);
  if (!o.storage_class.empty()) h.emplace_back("x-amz-storage-class", o.storage_class);
  if (!o.acl.empty()) h.emplace_back("x-amz-acl", o.acl);
  if (!o.sse.empty()) h.emplace_back("x-amz-server-side-encryption", o.sse);
  if (!o.kms_key_id.empty()) h.emplace_back("x-amz-server-side-encryption-aws-kms-key-id", o.kms_key_id);
  for (const auto& [k, v] : o.metadata) h.emplace_back("x-amz-meta-" + k, v);
  return h;
}

void S3Client::put_object(const std::string& bucket, const std::string& key, std::string_view body,
                          const ObjectOptions& opts) {
  execute({"PutObject", "PUT", bucket, key, {}, object_headers(opts), body});
}

std::string S3Client::create_multipart_upload(const std::string& bucket, const std::string& key,
                                              const ObjectOptions& opts) {
  auto res = execute({"CreateMultipartUpload", "POST", bucket, key, {{"uploads", ""}}, object_headers(opts), {}});
  return parse_upload_id(res.body);
}

std::string S3Client::upload_part(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                  int part_number, std::string_view body) {
  auto res = execute({"UploadPart", "PUT", bucket, key,
                      {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}}, {}, body});
  std::string etag = res.header("ETag");
  if (etag.empty()) throw S3Error("S3 UploadPart " + object_url(bucket, key) + ": response has no ETag", res.status, "", false);
  return etag;
}

void S3Client::complete_multipart_upload(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id, const std::vector<CompletedPart>& parts) {
  std::string body = complete_multipart_body(parts);
  execute({"CompleteMultipartUpload", "POST", bucket, key, {{"uploadId", upload_id}},
           {{"Content-Type", "application/xml"}}, body});
}

void S3Client::abort_multipart_upload(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id) {
  try {
    execute({"AbortMultipartUpload", "DELETE", bucket, key, {{"uploadId", upload_id}}, {}, {}});
  } catch (const S3Error& e) {
    if (e.code() != "NoSuchUpload") throw;  // already gone: that is what we wanted
  }
}

ListResult S3Client::list_objects_v2(const std::string& bucket, const std::string& prefix,
                                     const std::string& continuation_token) {
  std::vector<std::pair<std::string, std::string>> q{{"list-type", "2"}};
  if (!prefix.empty()) q.emplace_back("prefix", prefix);
  if (!continuation_token.empty()) q.emplace_back("continuation-token", continuation_token);
  auto res = execute({"ListObjectsV2", "GET", bucket, "", q, {}, {}});
  return parse_list_objects_v2(res.body);
}

std::string S3Client::get_object(const std::string& bucket, const std::string& key) {
  return execute({"GetObject", "GET", bucket, key, {}, {}, {}}).body;
}

void S3Client::delete_object(const std::string& bucket, const std::string& key) {
  execute({"DeleteObject", "DELETE", bucket, key, {}, {}, {}});
}

void S3Client::head_bucket(const std::string& bucket) {
  execute({"HeadBucket", "HEAD", bucket, "", {}, {}, {}});
}

}  // namespace sluice::s3
