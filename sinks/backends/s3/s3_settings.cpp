#include "sinks/backends/s3/s3_settings.hpp"

namespace sluice::s3 {

S3Settings read_s3_settings(Context& ctx, const std::string& default_staging_dir) {
  S3Settings s;
  auto& c = s.client;
  c.endpoint = ctx.get_string("endpoint", "",
                              "S3 endpoint URL (http:// or https://); empty: https://s3.<region>.amazonaws.com");
  c.region = ctx.get_string("region", "us-east-1", "AWS region used in the signature and the default endpoint");
  c.path_style = ctx.get_bool("pathStyleAccess", false,
                              "address buckets as https://host/bucket/key (MinIO, Ceph, s3rver) instead of "
                              "https://bucket.host/key");
  c.max_attempts = static_cast<int>(ctx.get_int("maxAttempts", 8, "attempts per S3 request, first included", 1, 100));
  c.transport.timeout = std::chrono::milliseconds(
      ctx.get_int("requestTimeout", 30000, "ms to connect, and to send a request and read its answer", 100));
  c.transport.verify_tls = ctx.get_bool("verifyTls", true, "verify the server certificate and host name over https");
  c.transport.ca_file = ctx.get_string("caFile", "", "PEM file of trusted CAs; empty: the system trust store");
  c.unsigned_payload = ctx.get_bool("unsignedPayload", false,
                                    "sign requests with UNSIGNED-PAYLOAD instead of hashing bodies (https only)");
  if (c.unsigned_payload && c.endpoint.starts_with("http://"))
    ctx.error("unsignedPayload", "unsignedPayload needs an https endpoint");
  if (!c.endpoint.empty()) {
    try {
      Endpoint::parse(c.endpoint);
    } catch (const std::invalid_argument& e) {
      ctx.error("endpoint", e.what());
    }
  }

  auto& k = s.credentials;
  k.access_key_id = ctx.get_string("accessKey", "", "AWS access key id (else environment, profile, instance role)");
  k.secret_access_key = ctx.get_string("secretKey", "", "AWS secret access key, with accessKey");
  k.session_token = ctx.get_string("sessionToken", "", "AWS session token for temporary keys");
  if (k.access_key_id.empty() != k.secret_access_key.empty())
    ctx.error(k.access_key_id.empty() ? "accessKey" : "secretKey", "accessKey and secretKey must be set together");
  k.profile = ctx.get_string("profile", "", "profile in the shared credentials file; empty: AWS_PROFILE or default");
  k.credentials_file = ctx.get_string("credentialsFile", "",
                                      "shared credentials file; empty: AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials");
  k.use_imds = ctx.get_bool("instanceMetadata", true, "try EC2 instance-metadata (IMDSv2) role credentials last");
  k.imds_timeout = std::chrono::milliseconds(
      ctx.get_int("instanceMetadataTimeout", 1000, "ms to wait for the instance-metadata service", 50, 60000));

  auto& u = s.upload;
  u.part_size = static_cast<uint64_t>(ctx.get_int("partSize", 8 * 1024 * 1024,
                                                  "multipart part size in bytes (S3 minimum 5 MiB)",
                                                  static_cast<int64_t>(kMinPartSize), 5LL * 1024 * 1024 * 1024));
  u.max_parallel_uploads =
      static_cast<size_t>(ctx.get_int("maxParallelUploads", 4, "parts of one object uploaded at once", 1, 64));
  u.staging_wait = std::chrono::milliseconds(
      ctx.get_int("stagingWait", 5000, "ms a write waits for staging room before the sink backs off", 0));
  s.staging_dir = ctx.get_string("stagingDir", default_staging_dir,
                                 "local directory where unuploaded bytes are fsync'ed (recovered on restart)");
  s.staging_max_bytes = static_cast<uint64_t>(ctx.get_int(
      "stagingMaxBytes", 1LL << 30, "bound on staged bytes; when full the sink stops taking events", 1));

  auto& o = s.object;
  std::string sse = ctx.get_choice("serverSideEncryption", "none", {"none", "AES256", "aws:kms"},
                                   "server-side encryption of written objects");
  o.sse = sse == "none" ? "" : sse;
  o.kms_key_id = ctx.get_string("kmsKeyId", "", "KMS key id or ARN with serverSideEncryption = aws:kms");
  if (!o.kms_key_id.empty() && o.sse != "aws:kms")
    ctx.error("kmsKeyId", "kmsKeyId needs serverSideEncryption = aws:kms");
  o.storage_class = ctx.get_string("storageClass", "", "x-amz-storage-class (STANDARD_IA, GLACIER_IR, ...)");
  o.acl = ctx.get_string("cannedAcl", "", "canned ACL (private, bucket-owner-full-control, ...)");
  o.content_type = ctx.get_string("contentType", "", "Content-Type of written objects");
  o.content_encoding = ctx.get_string("contentEncoding", "", "Content-Encoding (gzip for compressed rolls)");
  for (auto& [name, value] : ctx.get_prefixed("metadata.", "x-amz-meta-<name> sent with every object; %{header} takes it from the event that opened the object"))
    o.metadata[name] = value;
  return s;
}

}  // namespace sluice::s3
