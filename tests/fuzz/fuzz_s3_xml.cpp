// Fuzzes the S3 response documents the s3 backend parses: <Error>, InitiateMultipartUploadResult and
// ListBucketResult. Malformed input may only raise S3XmlError; parse_error_document never throws.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sinks/backends/s3/s3_xml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::s3;
  std::string body(reinterpret_cast<const char*>(data), size);
  is_error_document(body);
  parse_error_document(body);
  try {
    if (parse_upload_id(body).empty()) __builtin_trap();
  } catch (const S3XmlError&) {
  }
  try {
    parse_list_objects_v2(body);
  } catch (const S3XmlError&) {
  }
  return 0;
}
