#include "sinks/backends/s3/s3_xml.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>

namespace sluice::s3 {
namespace pt = boost::property_tree;
namespace {

pt::ptree parse(const std::string& body, const char* what) {
  pt::ptree tree;
  std::istringstream in(body);
  try {
    pt::read_xml(in, tree, pt::xml_parser::no_comments);
  } catch (const pt::xml_parser_error& e) {
    throw S3XmlError(std::string("malformed XML in ") + what + " response (line " + std::to_string(e.line()) +
                     "): " + e.message() + "; body starts: " + body.substr(0, 120));
  }
  return tree;
}

}  // namespace

bool is_error_document(const std::string& body) {
  auto start = body.find('<');
  while (start != std::string::npos && (body.compare(start, 2, "<?") == 0 || body.compare(start, 4, "<!--") == 0))
    start = body.find('<', start + 1);
  return start != std::string::npos && body.compare(start, 7, "<Error>") == 0;
}

ErrorDocument parse_error_document(const std::string& body) {
  ErrorDocument doc;
  try {
    auto tree = parse(body, "error");
    auto err = tree.get_child_optional("Error");
    if (!err) return doc;
    doc.code = err->get("Code", "");
    doc.message = err->get("Message", "");
    doc.request_id = err->get("RequestId", "");
    doc.resource = err->get("Resource", err->get("Key", err->get("BucketName", "")));
  } catch (const S3XmlError&) {
  }
  return doc;
}

std::string parse_upload_id(const std::string& body) {
  auto tree = parse(body, "CreateMultipartUpload");
  std::string id = tree.get("InitiateMultipartUploadResult.UploadId", "");
  if (id.empty()) throw S3XmlError("CreateMultipartUpload response has no UploadId: " + body.substr(0, 200));
  return id;
}

ListResult parse_list_objects_v2(const std::string& body) {
  auto tree = parse(body, "ListObjectsV2");
  auto root = tree.get_child_optional("ListBucketResult");
  if (!root) throw S3XmlError("ListObjectsV2 response has no ListBucketResult: " + body.substr(0, 200));
  ListResult out;
  out.truncated = root->get("IsTruncated", "false") == "true";
  out.next_continuation_token = root->get("NextContinuationToken", "");
  for (const auto& [name, child] : *root) {
    if (name != "Contents") continue;
    ObjectSummary o;
    o.key = child.get("Key", "");
    o.etag = child.get("ETag", "");
    try {
      o.size = child.get<uint64_t>("Size", 0);
    } catch (const pt::ptree_bad_data&) {
      throw S3XmlError("ListObjectsV2: bad Size for key " + o.key);
    }
    out.objects.push_back(std::move(o));
  }
  return out;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string complete_multipart_body(const std::vector<CompletedPart>& parts) {
  std::string out = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const auto& p : parts)
    out += "<Part><PartNumber>" + std::to_string(p.number) + "</PartNumber><ETag>" + xml_escape(p.etag) +
           "</ETag></Part>";
  out += "</CompleteMultipartUpload>";
  return out;
}

}  // namespace sluice::s3
