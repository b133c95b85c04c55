#include "interceptors/parse/json_parser.hpp"

#include <charconv>

namespace sluice::parse {

JsonParser::JsonParser(size_t max_bytes, size_t max_depth)
    : parser_(std::make_unique<simdjson::dom::parser>(max_bytes)), max_bytes_(max_bytes), max_depth_(max_depth) {
  // Depth is fixed here (simdjson counts the document itself as a level, so one more than the
  // nesting of objects and arrays we allow); capacity grows with the largest body, up to max_bytes.
  alloc_failed_ = parser_->allocate(std::min<size_t>(max_bytes, 4096), max_depth + 1) != simdjson::SUCCESS;
}

bool JsonParser::parse(std::string_view line, Fields& out, std::string& error) {
  std::string_view s = chomp(line);
  if (alloc_failed_ || s.size() > max_bytes_) {
    error = "json: body larger than the parser's capacity";
    return false;
  }
  padded_.assign(s.data(), s.size());
  padded_.append(simdjson::SIMDJSON_PADDING, '\0');
  simdjson::dom::element root;
  auto err = parser_->parse(padded_.data(), s.size(), false).get(root);
  if (err == simdjson::DEPTH_ERROR) {
    error = "json: nested deeper than json.maxDepth " + std::to_string(max_depth_);
    return false;
  }
  if (err) {
    error = std::string("json: ") + simdjson::error_message(err);
    return false;
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) {
    error = "json: top-level value is not an object";
    return false;
  }
  flatten(obj, {}, out);
  return true;
}

void JsonParser::flatten(simdjson::dom::object obj, std::string_view prefix, Fields& out) {
  for (auto [key, value] : obj) {
    std::string_view name = key;
    if (!prefix.empty()) {
      std::string& buf = out.scratch();
      buf.append(prefix).append(".").append(key);
      name = out.own_scratch();
    }
    if (value.is_object())
      flatten(value.get_object().value_unsafe(), name, out);
    else
      add_value(name, value, out);
  }
}

void JsonParser::add_value(std::string_view name, simdjson::dom::element v, Fields& out) {
  char buf[64];
  switch (v.type()) {
    case simdjson::dom::element_type::STRING: out.add(name, v.get_string().value_unsafe()); return;
    case simdjson::dom::element_type::NULL_VALUE: return;
    case simdjson::dom::element_type::BOOL: out.add(name, v.get_bool().value_unsafe() ? "true" : "false"); return;
    case simdjson::dom::element_type::INT64: {
      auto r = std::to_chars(buf, buf + sizeof buf, v.get_int64().value_unsafe());
      out.add(name, out.own(std::string_view(buf, r.ptr - buf)));
      return;
    }
    case simdjson::dom::element_type::UINT64: {
      auto r = std::to_chars(buf, buf + sizeof buf, v.get_uint64().value_unsafe());
      out.add(name, out.own(std::string_view(buf, r.ptr - buf)));
      return;
    }
    case simdjson::dom::element_type::DOUBLE: {
      auto r = std::to_chars(buf, buf + sizeof buf, v.get_double().value_unsafe());
      out.add(name, out.own(std::string_view(buf, r.ptr - buf)));
      return;
    }
    default: {  // array
      std::string text = simdjson::to_string(v);
      out.add(name, out.own(text));
      return;
    }
  }
}

}  // namespace sluice::parse
