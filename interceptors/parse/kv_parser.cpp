#include "interceptors/parse/kv_parser.hpp"

namespace sluice::parse {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

bool KvParser::parse(std::string_view line, Fields& out, std::string& error) {
  std::string_view s = chomp(line);
  auto is_pair_end = [&](char c) { return pair_ ? c == pair_ : is_space(c); };
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (is_space(s[i]) || s[i] == pair_)) ++i;
    if (i >= s.size()) break;
    size_t key_start = i;
    while (i < s.size() && s[i] != value_ && !is_pair_end(s[i]) && !is_space(s[i])) ++i;
    if (i >= s.size() || s[i] != value_ || i == key_start) {  // a bare word: skip it
      while (i < s.size() && !is_pair_end(s[i])) ++i;
      continue;
    }
    std::string_view key = s.substr(key_start, i - key_start);
    ++i;  // the value delimiter
    if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
      char q = s[i++];
      size_t start = i;
      bool escaped = false;
      while (i < s.size() && s[i] != q) {
        if (s[i] == '\\') {
          escaped = true;
          ++i;
        }
        ++i;
      }
      if (i >= s.size()) {
        error = "kv: unterminated quote in the value of " + std::string(key);
        return false;
      }
      std::string_view raw = s.substr(start, i - start);
      ++i;  // closing quote
      if (!escaped) {
        out.add(key, raw);
        continue;
      }
      std::string& buf = out.scratch();
      for (size_t k = 0; k < raw.size(); ++k) {
        if (raw[k] == '\\' && k + 1 < raw.size()) ++k;
        buf += raw[k];
      }
      out.add(key, out.own_scratch());
      continue;
    }
    size_t start = i;
    while (i < s.size() && !is_pair_end(s[i])) ++i;
    std::string_view v = s.substr(start, i - start);
    while (!v.empty() && is_space(v.back())) v.remove_suffix(1);
    out.add(key, v);
  }
  if (out.size() == 0) {
    error = "kv: no key" + std::string(1, value_) + "value pairs";
    return false;
  }
  return true;
}

}  // namespace sluice::parse
