#include "interceptors/parse/json_output.hpp"

namespace sluice::parse {
namespace {

// Length of the valid UTF-8 sequence at s[i] (1-4), or 0 if the bytes there are not one.
size_t utf8_sequence(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return k < s.size() && b(k) >= lo && b(k) <= hi;
  };
  unsigned c = b(i);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c == 0xE0) return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0;
  if (c == 0xED) return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;  // no surrogates
  if (c >= 0xE1 && c <= 0xEF) return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (c == 0xF0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c == 0xF4) return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

bool digits(std::string_view s, size_t& i) {
  size_t b = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i > b;
}

}  // namespace

size_t invalid_utf8_offset(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t n = utf8_sequence(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the pending run of bytes copied as they are
  for (size_t i = 0; i < s.size();) {
    if (i + 8 <= s.size()) {  // 8 plain ASCII bytes at once: no quote, backslash, control or high byte
      uint64_t x = swar_load(s.data() + i);
      uint64_t special =
          swar_eq(x, '"') | swar_eq(x, '\\') | (x & kHighs) | ((x - kOnes * 0x20) & ~x & kHighs);  // a byte below 0x20
      if (!special) {
        i += 8;
        continue;
      }
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    size_t n = c < 0x80 ? 1 : utf8_sequence(s, i);
    if (n > 1) {
      i += n;  // valid multi-byte sequence: copied as is
      continue;
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += "\\ufffd";  // invalid UTF-8 byte
        }
    }
    ++i;
    run = i;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

bool is_json_number(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size()) return false;
  if (s[i] == '0')
    ++i;
  else if (!digits(s, i))
    return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits(s, i)) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits(s, i)) return false;
  }
  return i == s.size();
}

void append_json_object(std::string& out, const Fields& fields, const Schema* schema) {
  const auto& items = fields.items();
  size_t need = 2;
  for (const auto& f : items) need += f.name.size() + f.value.size() + 6;
  out.reserve(out.size() + need + need / 8);  // escapes are rare: one allocation in the common case
  out += '{';
  bool first = true;
  for (size_t i = 0; i < items.size(); ++i) {
    bool repeated = false;
    for (size_t j = i + 1; j < items.size() && !repeated; ++j) repeated = items[j].name == items[i].name;
    if (repeated) continue;
    if (!first) out += ',';
    first = false;
    append_json_string(out, items[i].name);
    out += ':';
    const FieldType* t = schema ? schema->type_of(items[i].name) : nullptr;
    bool numeric_type = t && (t->kind == FieldType::Kind::Int || t->kind == FieldType::Kind::Float ||
                              t->kind == FieldType::Kind::Epoch || t->kind == FieldType::Kind::EpochMs);
    bool number = numeric_type && is_json_number(items[i].value);
    if (number)
      out += items[i].value;
    else
      append_json_string(out, items[i].value);
  }
  out += '}';
}

}  // namespace sluice::parse
