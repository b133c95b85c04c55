#include "interceptors/parse/regex_parser.hpp"

namespace sluice::parse {

RegexParser::RegexParser(std::shared_ptr<const RE2> re) : re_(std::move(re)) {
  names_.resize(static_cast<size_t>(re_->NumberOfCapturingGroups()) + 1);
  for (const auto& [name, index] : re_->NamedCapturingGroups()) names_[static_cast<size_t>(index)] = name;
  groups_.resize(names_.size());
}

bool RegexParser::parse(std::string_view line, Fields& out, std::string& error) {
  std::string_view s = chomp(line);
  if (!re_->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::UNANCHORED, groups_.data(),
                  static_cast<int>(groups_.size()))) {
    error = "regex: no match";
    return false;
  }
  for (size_t i = 1; i < groups_.size(); ++i)
    if (!names_[i].empty() && groups_[i].data() != nullptr)
      out.add(names_[i], std::string_view(groups_[i].data(), groups_[i].size()));
  return true;
}

}  // namespace sluice::parse
