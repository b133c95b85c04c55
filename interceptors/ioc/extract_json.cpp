#include "interceptors/ioc/extract_json.hpp"

#include <simdjson.h>

#include <sstream>

namespace sluice::ioc {
namespace {

constexpr size_t kMaxDocument = 16 << 20;
constexpr size_t kMaxDepth = 64;

// Every scalar under element, following path from position i.
void collect(simdjson::dom::element el, const std::vector<std::string>& path, size_t i,
             std::vector<std::string>& out) {
  using simdjson::dom::element_type;
  if (el.type() == element_type::ARRAY) {
    simdjson::dom::array arr;
    if (el.get_array().get(arr) != simdjson::SUCCESS) return;
    for (simdjson::dom::element child : arr) collect(child, path, i, out);
    return;
  }
  if (i == path.size()) {
    switch (el.type()) {
      case element_type::STRING: out.emplace_back(el.get_string().value_unsafe()); break;
      case element_type::INT64: out.push_back(std::to_string(el.get_int64().value_unsafe())); break;
      case element_type::UINT64: out.push_back(std::to_string(el.get_uint64().value_unsafe())); break;
      default: break;  // objects, booleans, null, doubles: nothing to match
    }
    return;
  }
  if (el.type() != element_type::OBJECT) return;
  simdjson::dom::object obj;
  simdjson::dom::element child;
  if (el.get_object().get(obj) != simdjson::SUCCESS || obj.at_key(path[i]).get(child) != simdjson::SUCCESS) return;
  collect(child, path, i + 1, out);
}

}  // namespace

bool JsonFields::parse(const std::string& spec, std::vector<std::vector<std::string>>& out, std::string& why) {
  std::istringstream in(spec);
  for (std::string p; in >> p;) {
    std::vector<std::string> segs;
    std::string cur;
    for (char c : p + ".") {
      if (c != '.') {
        cur += c;
        continue;
      }
      if (cur.empty()) {
        why = "'" + p + "' is not a path (expected dotted names such as client.ip)";
        return false;
      }
      segs.push_back(cur);
      cur.clear();
    }
    out.push_back(std::move(segs));
  }
  return true;
}

void extract_json(std::string_view body, const JsonFields& fields, Candidates& out) {
  out.clear();
  thread_local simdjson::dom::parser parser(kMaxDocument);
  thread_local bool ready = parser.allocate(4096, kMaxDepth) == simdjson::SUCCESS;
  simdjson::dom::element doc;
  if (!ready || body.size() > kMaxDocument || parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS ||
      doc.type() != simdjson::dom::element_type::OBJECT) {
    extract(body, Mode::Body, out);
    return;
  }
  std::vector<std::string> values;
  for (const auto& path : fields.paths) collect(doc, path, 0, values);
  // Candidates are views: the field values must outlive them, so they are kept in `out`.
  for (const auto& v : values) add_token(out.keep(v), out);
  if (!fields.source_path.empty()) {
    std::vector<std::string> src;
    collect(doc, fields.source_path, 0, src);
    if (!src.empty()) out.source_key = src.front();
  }
}

}  // namespace sluice::ioc
