// The XML documents S3 answers with, parsed with Boost.PropertyTree into plain structs.
// Malformed XML becomes S3XmlError naming the operation, never a crash.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::s3 {

class S3XmlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ErrorDocument {
  std::string code;  // AccessDenied, NoSuchBucket, SignatureDoesNotMatch, SlowDown, ...
  std::string message;
  std::string request_id;
  std::string resource;
};

struct ObjectSummary {
  std::string key;
  uint64_t size = 0;
  std::string etag;
};

struct ListResult {
  std::vector<ObjectSummary> objects;
  bool truncated = false;
  std::string next_continuation_token;
};

struct CompletedPart {
  int number = 0;
  std::string etag;
};

// True if body is an <Error> document (S3 may send one with 200 for CompleteMultipartUpload).
bool is_error_document(const std::string& body);
// Best effort: an unparsable body gives an empty code (the caller falls back on the status).
ErrorDocument parse_error_document(const std::string& body);
std::string parse_upload_id(const std::string& body);  // InitiateMultipartUploadResult
ListResult parse_list_objects_v2(const std::string& body);
std::string complete_multipart_body(const std::vector<CompletedPart>& parts);
std::string xml_escape(const std::string& s);

}  // namespace sluice::s3
