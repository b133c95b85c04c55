// The loaded indicators, built once per (re)load and then only read: hash sets for exact values,
// a binary trie for CIDR ranges (longest prefix wins, lookup is O(address bits), not a scan), and
// label-boundary suffix lookup for domains (`evil.com` matches `a.b.evil.com`, never `notevil.com`).
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "interceptors/ioc/indicator.hpp"

namespace sluice::ioc {

struct Match {
  Type type;
  std::string value;  // the indicator that matched (e.g. the CIDR, or the parent domain)
  std::string feed;
};

class IndicatorSet {
 public:
  void add(const Indicator& i, const std::string& feed);
  // Looks up one candidate (already normalised by classify()).
  std::optional<Match> lookup(const Indicator& candidate) const;
  size_t size() const { return count_; }
  std::unordered_map<std::string, size_t> counts_by_type() const;

 private:
  struct TrieNode {
    std::array<int32_t, 2> child{-1, -1};
    int32_t feed = -1;  // index into feeds_ when a prefix ends here
    std::string cidr;
  };
  std::optional<Match> lookup_ip(const std::string& ip) const;
  void add_cidr(const std::string& cidr, const std::string& feed);
  int32_t feed_index(const std::string& feed);

  std::unordered_map<std::string, std::string> exact_[9];  // per Type: value -> feed
  std::vector<TrieNode> v4_{1}, v6_{1};
  std::vector<std::string> feeds_;
  size_t count_ = 0;
};

}  // namespace sluice::ioc
