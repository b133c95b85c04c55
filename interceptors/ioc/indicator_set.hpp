// The loaded indicators, built once per (re)load and then only read: hash sets for exact values,
// a binary trie for CIDR ranges (longest prefix wins, lookup is O(address bits), not a scan), and
// label-boundary suffix lookup for domains (`evil.com` matches `a.b.evil.com`, never `notevil.com`).
// Lookups take views and do not allocate unless they hit: a presence filter answers "absent" for
// almost every candidate before any table is touched, IPv4 addresses are 32-bit keys.
#pragma once
#include <boost/unordered/unordered_flat_map.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <memory>
#include <unordered_map>
#include <vector>

#include "interceptors/ioc/indicator.hpp"
#include "interceptors/ioc/presence_filter.hpp"

namespace sluice::ioc {

struct Match {
  Type type;
  std::string value;  // the indicator that matched (e.g. the CIDR, or the parent domain)
  std::string feed;
};

class IndicatorSet {
 public:
  void add(const Indicator& i, const std::string& feed);
  // Room for `more` further indicators: the presence filter is sized once rather than rebuilt as
  // it grows (a feed's line count is a fine estimate; too high costs only filter memory).
  void reserve(size_t more);
  // Looks up one candidate (already normalised by classify() or classify_view()).
  std::optional<Match> lookup(Type type, std::string_view value) const;
  std::optional<Match> lookup(const Indicator& c) const { return lookup(c.type, c.value); }
  std::optional<Match> lookup(const Candidate& c) const;
  // An event's candidates are looked up in two steps: prepare() computes their probe keys and
  // requests the presence-filter blocks of all of them (their cache misses overlap), finish()
  // probes with those keys: on_match(candidate, match) for each hit, in order. Preparing the next
  // event before finishing this one gives the blocks time to arrive.
  struct Probes {
    std::vector<uint64_t> keys;
    std::vector<uint32_t> offsets;  // per key: where in the value the probed name starts (a domain's parent)
    std::vector<size_t> first;      // where each candidate's keys start, and one past the last
  };
  void prepare(const std::vector<Candidate>& cands, Probes& p) const;
  template <class F>
  void finish(const std::vector<Candidate>& cands, const Probes& p, F&& on_match) const;
  size_t size() const { return count_; }
  // False when no indicator of this set can match a candidate of type t (none of its kind is
  // loaded): such candidates are neither hashed nor probed.
  bool may_match(Type t) const { return matchable_ >> static_cast<unsigned>(t) & 1; }
  // The shape flags (shape_scan.hpp) a body scan needs so that no candidate that could match this
  // set is missed: URLs only with URL indicators, hashes with hashes, IPv6 shapes with any IP.
  unsigned shapes_needed() const;
  std::unordered_map<std::string, size_t> counts_by_type() const;
  // Distinct indicators per feed (the feed that named each first) and type: one walk of the
  // tables, meant for once per load.
  struct FeedTypeCount {
    std::string feed;
    Type type;
    size_t count;
  };
  std::vector<FeedTypeCount> counts_by_feed_and_type() const;

 private:
  struct TrieNode {
    std::array<int32_t, 2> child{-1, -1};
    int32_t feed = -1;  // index into feeds_ when a prefix ends here
    std::string cidr;
  };
  struct KeyHash {
    using is_avalanching = void;  // hash_key mixes all bits: the map need not mix again
    size_t operator()(std::string_view s) const { return hash_key(s, 0); }
  };
  // Open addressing, keys are views into strings_: a load of 1 M indicators makes no allocation
  // per value, and dropping a replaced set frees a few chunks, not a million nodes.
  using ExactMap = boost::unordered_flat_map<std::string_view, uint32_t, KeyHash>;  // value -> feed index
  // Append-only storage for the values the maps point to (chunks never move).
  class Strings {
   public:
    std::string_view keep(std::string_view s);
   private:
    std::vector<std::unique_ptr<char[]>> chunks_;
    size_t used_ = 0, size_ = 0;
  };

  static uint64_t filter_key(Type t, std::string_view value);
  static uint64_t filter_key(uint32_t ipv4);
  std::optional<Match> find_exact(Type t, std::string_view value) const;
  std::optional<Match> find_exact(Type t, std::string_view value, uint64_t key) const;
  // The filter keys lookup(c) probes, in order (a domain: itself, then each parent).
  void probe_keys(const Candidate& c, Probes& p) const;
  std::optional<Match> lookup_with_keys(const Candidate& c, const Probes& p, size_t first, size_t last) const;
  std::optional<Match> lookup_ipv4(uint32_t address, std::string_view value, uint64_t key) const;
  std::optional<Match> lookup_trie(const std::vector<TrieNode>& trie, const uint8_t* bytes, int bits) const;
  void add_cidr(const std::string& cidr, const std::string& feed);
  uint32_t feed_index(const std::string& feed);

  ExactMap exact_[9];                               // per Type, except IPv4
  boost::unordered_flat_map<uint32_t, uint32_t> ipv4_;  // address -> feed index
  Strings strings_;
  PresenceFilter filter_;                           // every key of exact_ and ipv4_
  size_t keys_ = 0;
  std::vector<TrieNode> v4_{1}, v6_{1};
  std::vector<std::string> feeds_;
  size_t count_ = 0;
  unsigned matchable_ = 0;  // bit t: may_match(Type(t))
  uint64_t domain_depths_ = 0;  // bit k: a domain indicator has k labels (bit 63: 63 or more)
};

template <class F>
void IndicatorSet::finish(const std::vector<Candidate>& cands, const Probes& p, F&& on_match) const {
  for (size_t i = 0; i < cands.size(); ++i) {
    const Candidate& c = cands[i];
    if (!may_match(c.type)) continue;
    // Nearly every candidate is in no table, and its keys' filter bits say so here, without a
    // lookup call. Addresses that a CIDR range may hold are looked up anyway (the trie has no keys).
    if (!(c.type == Type::Ipv6 || (c.type == Type::Ipv4 && v4_.size() > 1))) {
      bool maybe = false;
      for (size_t k = p.first[i]; k < p.first[i + 1] && !maybe; ++k) maybe = filter_.may_contain(p.keys[k]);
      if (!maybe) continue;
    }
    if (auto m = lookup_with_keys(c, p, p.first[i], p.first[i + 1])) on_match(c, *m);
  }
}

}  // namespace sluice::ioc
