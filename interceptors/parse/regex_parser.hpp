// Fields from the named capture groups of an RE2 pattern (key `regex`), e.g.
//   ^(?P<client>\S+) (?P<verb>[A-Z]+) (?P<path>\S+)$
// The first match in the body counts (anchor the pattern to require a whole-line match); groups
// that did not take part are left out. Fails with "regex: no match". RE2 is thread-safe, so every
// parser shares one compiled pattern.
#pragma once
#include <re2/re2.h>

#include <memory>
#include <vector>

#include "interceptors/parse/fields.hpp"

namespace sluice::parse {

class RegexParser : public FormatParser {
 public:
  explicit RegexParser(std::shared_ptr<const RE2> re);
  bool parse(std::string_view line, Fields& out, std::string& error) override;

 private:
  std::shared_ptr<const RE2> re_;
  std::vector<std::string> names_;  // by group index (1-based; "" for unnamed groups)
  std::vector<re2::StringPiece> groups_;
};

}  // namespace sluice::parse
