// key=value pairs: `user=alice action="log in" src=10.0.0.1 msg='a \'quoted\' word'`.
// Pairs are separated by whitespace (or kv.pairDelimiter, e.g. ",", with spaces around it
// trimmed); a value may be double- or single-quoted, with backslash escaping the next character.
// Words without the value delimiter are skipped. Fails on an unterminated quote or when the line
// has no pair at all.
#pragma once
#include "interceptors/parse/fields.hpp"

namespace sluice::parse {

class KvParser : public FormatParser {
 public:
  // pair_delimiter 0: whitespace.
  KvParser(char pair_delimiter, char value_delimiter) : pair_(pair_delimiter), value_(value_delimiter) {}
  bool parse(std::string_view line, Fields& out, std::string& error) override;

 private:
  char pair_, value_;
};

}  // namespace sluice::parse
