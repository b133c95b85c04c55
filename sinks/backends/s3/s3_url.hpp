// "s3a://bucket/prefix/%Y%m%d" and "s3://bucket/..." paths, as users write them in hdfs.path, split
// into bucket and key prefix (the roller expands escapes in the prefix, then appends file names).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace sluice::s3 {

struct S3Url {
  std::string bucket;
  std::string key;  // no leading '/', may be empty
};

// True for s3://, s3a:// (and s3n://) paths.
bool is_s3_url(std::string_view path);
// Throws std::invalid_argument naming the problem (missing bucket, invalid bucket name, ...).
S3Url parse_s3_url(std::string_view path);
// Joins a key prefix and a file name with exactly one '/'.
std::string join_key(std::string_view prefix, std::string_view name);

}  // namespace sluice::s3
