// The S3 keys a sink reads, declared in one place with their docs, so the roller's S3 backend
// (hdfs sink with hdfs.path = s3a://..., or sink type s3) reads them with one call. Keys are relative
// to the Context passed in (the glue chooses the prefix, e.g. ctx.sub("s3.")):
//   endpoint, region (us-east-1), pathStyleAccess (false), accessKey, secretKey, sessionToken,
//   profile, credentialsFile, instanceMetadata (true), instanceMetadataTimeout (1000 ms),
//   partSize (8 MiB, >= 5 MiB), maxParallelUploads (4), stagingDir, stagingMaxBytes (1 GiB),
//   stagingWait (5000 ms), serverSideEncryption (none | AES256 | aws:kms), kmsKeyId, storageClass,
//   cannedAcl, contentType, contentEncoding, metadata.<name>, maxAttempts (8), requestTimeout
//   (30000 ms), verifyTls (true), caFile, unsignedPayload (false).
#pragma once
#include <string>

#include "agent/context.hpp"
#include "sinks/backends/s3/credentials.hpp"
#include "sinks/backends/s3/multipart_upload.hpp"
#include "sinks/backends/s3/s3_client.hpp"

namespace sluice::s3 {

struct S3Settings {
  S3Config client;
  CredentialsConfig credentials;
  MultipartOptions upload;
  ObjectOptions object;
  std::string staging_dir;
  uint64_t staging_max_bytes = 0;
};

// Reads and validates every key (errors go to the Context's diagnostics with file/line).
// default_staging_dir: used when stagingDir is not set (e.g. /var/lib/sluice/s3-staging/<sink>).
S3Settings read_s3_settings(Context& ctx, const std::string& default_staging_dir);

}  // namespace sluice::s3
