// One CSV record (RFC 4180 quoting: "a, b" and "say ""hi""") whose values are named by
// csv.columns, in order. A record with more or fewer values than columns fails
// ("csv: 4 values, expected 3 (csv.columns)"), as does an unterminated quote.
#pragma once
#include <string>
#include <vector>

#include "interceptors/parse/fields.hpp"

namespace sluice::parse {

class CsvParser : public FormatParser {
 public:
  CsvParser(std::vector<std::string> columns, char delimiter) : columns_(std::move(columns)), delim_(delimiter) {}
  bool parse(std::string_view line, Fields& out, std::string& error) override;

 private:
  std::vector<std::string> columns_;
  char delim_;
};

}  // namespace sluice::parse
