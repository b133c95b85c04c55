#include "interceptors/parse/csv_parser.hpp"

namespace sluice::parse {

bool CsvParser::parse(std::string_view line, Fields& out, std::string& error) {
  std::string_view s = chomp(line);
  size_t n = 0, i = 0;
  while (true) {
    std::string_view value;
    if (i < s.size() && s[i] == '"') {
      size_t start = ++i;
      bool doubled = false;
      while (true) {
        if (i >= s.size()) {
          error = "csv: unterminated quote in value " + std::to_string(n + 1);
          return false;
        }
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            doubled = true;
            i += 2;
            continue;
          }
          break;
        }
        ++i;
      }
      value = s.substr(start, i - start);
      ++i;  // closing quote
      if (i < s.size() && s[i] != delim_) {
        error = "csv: text after the closing quote of value " + std::to_string(n + 1);
        return false;
      }
      if (doubled) {
        std::string& buf = out.scratch();
        for (size_t k = 0; k < value.size(); ++k) {
          buf += value[k];
          if (value[k] == '"') ++k;
        }
        value = out.own_scratch();
      }
    } else {
      size_t start = i;
      while (i < s.size() && s[i] != delim_) ++i;
      value = s.substr(start, i - start);
    }
    if (n < columns_.size()) out.add(columns_[n], value);
    ++n;
    if (i >= s.size()) break;
    ++i;  // delimiter
  }
  if (n != columns_.size()) {
    error = "csv: " + std::to_string(n) + " values, expected " + std::to_string(columns_.size()) + " (csv.columns)";
    return false;
  }
  return true;
}

}  // namespace sluice::parse
