#include "interceptors/ioc/indicator_set.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <type_traits>

#include "interceptors/ioc/shape_scan.hpp"

namespace sluice::ioc {
namespace {

// The address as bits (4 or 16 bytes, network order); false if not an address.
bool address_bytes(const std::string& ip, std::vector<uint8_t>& out) {
  in_addr a4{};
  in6_addr a6{};
  if (inet_pton(AF_INET, ip.c_str(), &a4) == 1) {
    auto* p = reinterpret_cast<const uint8_t*>(&a4);
    out.assign(p, p + 4);
    return true;
  }
  if (inet_pton(AF_INET6, ip.c_str(), &a6) == 1) {
    out.assign(a6.s6_addr, a6.s6_addr + 16);
    return true;
  }
  return false;
}
bool bit(const uint8_t* b, int i) { return (b[i / 8] >> (7 - i % 8)) & 1; }

// Calls f on the name and on each parent at a label boundary that still has a dot (never a bare
// TLD: a.b.evil.com, b.evil.com, evil.com) until f returns true, skipping names whose number of
// labels no domain indicator has (bit min(labels, 63) of depths). Loops by hand: memchr's call
// cost showed in the sweep's profile for these short names.
template <class F>
bool for_each_parent(std::string_view d, uint64_t depths, F&& f) {
  size_t dots = 0;
  for (char c : d) dots += c == '.';
  auto wanted = [depths](size_t labels) { return depths >> std::min<size_t>(labels, 63) & 1; };
  if (wanted(dots + 1) && f(d)) return true;
  for (size_t i = 0; i < d.size() && dots > 1; ++i) {
    if (d[i] != '.') continue;
    --dots;
    if (wanted(dots + 1) && f(d.substr(i + 1))) return true;
  }
  return false;
}

}  // namespace

uint64_t IndicatorSet::filter_key(Type t, std::string_view value) {
  return hash_key(value, 0) ^ (static_cast<uint64_t>(t) + 1) * 0x9e3779b97f4a7c15ULL;
}

uint64_t IndicatorSet::filter_key(uint32_t ipv4) {
  return hash_key(std::string_view(reinterpret_cast<const char*>(&ipv4), sizeof ipv4), 0x1f4);
}

uint32_t IndicatorSet::feed_index(const std::string& feed) {
  for (size_t i = 0; i < feeds_.size(); ++i)
    if (feeds_[i] == feed) return static_cast<uint32_t>(i);
  feeds_.push_back(feed);
  return static_cast<uint32_t>(feeds_.size() - 1);
}

void IndicatorSet::add_cidr(const std::string& cidr, const std::string& feed) {
  size_t slash = cidr.find('/');
  std::vector<uint8_t> b;
  if (!address_bytes(cidr.substr(0, slash), b)) return;
  int bits = std::stoi(cidr.substr(slash + 1));
  auto& trie = b.size() == 4 ? v4_ : v6_;
  int32_t node = 0;
  for (int i = 0; i < bits; ++i) {
    int dir = bit(b.data(), i);
    if (trie[static_cast<size_t>(node)].child[dir] < 0) {
      trie[static_cast<size_t>(node)].child[dir] = static_cast<int32_t>(trie.size());
      trie.emplace_back();
    }
    node = trie[static_cast<size_t>(node)].child[dir];
  }
  trie[static_cast<size_t>(node)].feed = static_cast<int32_t>(feed_index(feed));
  trie[static_cast<size_t>(node)].cidr = cidr;
}

std::string_view IndicatorSet::Strings::keep(std::string_view s) {
  if (size_ - used_ < s.size()) {
    size_ = std::max<size_t>(s.size(), size_t{1} << 20);
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(size_));
    used_ = 0;
  }
  char* at = chunks_.back().get() + used_;
  std::copy(s.begin(), s.end(), at);
  used_ += s.size();
  return {at, s.size()};
}

void IndicatorSet::reserve(size_t more) {
  if (filter_.reserve(keys_ + more)) {
    for (int t = 0; t < 9; ++t)
      for (const auto& [value, feed] : exact_[t]) filter_.insert(filter_key(static_cast<Type>(t), value));
    for (const auto& [address, feed] : ipv4_) filter_.insert(filter_key(address));
  }
}

void IndicatorSet::add(const Indicator& i, const std::string& feed) {
  ++count_;
  // A CIDR matches addresses of its family; an IPv4 indicator is matched by IPv4 candidates only.
  auto bit = [](Type t) { return 1u << static_cast<unsigned>(t); };
  matchable_ |= i.type != Type::Cidr ? bit(i.type)
                : i.value.find(':') == std::string::npos ? bit(Type::Ipv4)
                                                         : bit(Type::Ipv6);
  if (i.type == Type::Domain) {
    size_t labels = 1 + static_cast<size_t>(std::count(i.value.begin(), i.value.end(), '.'));
    domain_depths_ |= uint64_t{1} << std::min<size_t>(labels, 63);
  }
  if (i.type == Type::Cidr) {
    add_cidr(i.value, feed);
    return;
  }
  uint32_t v4;
  if (i.type == Type::Ipv4 && parse_ipv4(i.value, v4)) {
    if (ipv4_.count(v4)) return;
    reserve(1);
    ipv4_.emplace(v4, feed_index(feed));
    filter_.insert(filter_key(v4));
  } else {
    auto& set = exact_[static_cast<int>(i.type)];
    if (set.find(std::string_view(i.value)) != set.end()) return;  // the first feed to list it names it
    reserve(1);
    set.emplace(strings_.keep(i.value), feed_index(feed));
    filter_.insert(filter_key(i.type, i.value));
  }
  ++keys_;
}

std::optional<Match> IndicatorSet::find_exact(Type t, std::string_view value) const {
  return find_exact(t, value, filter_key(t, value));
}

std::optional<Match> IndicatorSet::find_exact(Type t, std::string_view value, uint64_t key) const {
  if (!filter_.may_contain(key)) return std::nullopt;
  const auto& set = exact_[static_cast<int>(t)];
  auto it = set.find(value);
  if (it == set.end()) return std::nullopt;
  return Match{t, std::string(it->first), feeds_[it->second]};
}

std::optional<Match> IndicatorSet::lookup_trie(const std::vector<TrieNode>& trie, const uint8_t* bytes,
                                               int bits) const {
  int32_t node = 0, best = -1;
  for (int i = 0; i <= bits && node >= 0; ++i) {
    if (trie[static_cast<size_t>(node)].feed >= 0) best = node;  // longest prefix so far
    if (i == bits) break;
    node = trie[static_cast<size_t>(node)].child[bit(bytes, i)];
  }
  if (best < 0) return std::nullopt;
  const auto& n = trie[static_cast<size_t>(best)];
  return Match{Type::Cidr, n.cidr, feeds_[static_cast<size_t>(n.feed)]};
}

std::optional<Match> IndicatorSet::lookup_ipv4(uint32_t v4, std::string_view value, uint64_t key) const {
  if (filter_.may_contain(key))
    if (auto it = ipv4_.find(v4); it != ipv4_.end()) return Match{Type::Ipv4, std::string(value), feeds_[it->second]};
  if (v4_.size() == 1) return std::nullopt;  // no IPv4 CIDR loaded
  uint8_t bytes[4] = {static_cast<uint8_t>(v4 >> 24), static_cast<uint8_t>(v4 >> 16), static_cast<uint8_t>(v4 >> 8),
                      static_cast<uint8_t>(v4)};
  return lookup_trie(v4_, bytes, 32);
}

std::optional<Match> IndicatorSet::lookup(const Candidate& c) const {
  if (c.type == Type::Ipv4 && c.ipv4 != 0) return lookup_ipv4(c.ipv4, c.value, filter_key(c.ipv4));
  return lookup(c.type, c.value);
}

std::optional<Match> IndicatorSet::lookup(Type type, std::string_view value) const {
  switch (type) {
    case Type::Domain: {
      // evil.com matches evil.com and any.sub.evil.com, never notevil.com or evil.com.example.org.
      std::optional<Match> m;
      for_each_parent(value, domain_depths_, [&](std::string_view d) { return (m = find_exact(Type::Domain, d)).has_value(); });
      return m;
    }
    case Type::Ipv4: {
      uint32_t v4;
      if (!parse_ipv4(value, v4)) return std::nullopt;
      return lookup_ipv4(v4, value, filter_key(v4));
    }
    case Type::Ipv6: {
      if (auto m = find_exact(Type::Ipv6, value)) return m;
      in6_addr a6{};
      if (v6_.size() == 1 || inet_pton(AF_INET6, std::string(value).c_str(), &a6) != 1) return std::nullopt;
      return lookup_trie(v6_, a6.s6_addr, 128);
    }
    default: return find_exact(type, value);
  }
}

void IndicatorSet::probe_keys(const Candidate& c, Probes& p) const {
  auto push = [&](uint64_t key, size_t offset) {
    p.keys.push_back(key);
    p.offsets.push_back(static_cast<uint32_t>(offset));
  };
  if (c.type == Type::Ipv4) {
    uint32_t v4 = c.ipv4;
    push(v4 != 0 || parse_ipv4(c.value, v4) ? filter_key(v4) : 0, 0);
    return;
  }
  if (c.type != Type::Domain) {
    push(filter_key(c.type, c.value), 0);
    return;
  }
  // The names lookup() tries, in its order (for_each_parent), from one pass over the dots. A
  // candidate is at most 253 bytes (classify_view, normalize_domain); a longer value (not made by
  // the extractor) takes the general walk.
  std::string_view d = c.value;
  if (c.labels != 0 && c.labels < 63) {
    // The extractor counted the labels: a name with fewer than any domain indicator has is not
    // walked, and the walk stops at the last parent with as many labels as some indicator.
    uint64_t want = domain_depths_ & ((uint64_t{2} << c.labels) - 1) & ~uint64_t{3};  // parents keep a dot
    if (want == 0) return;
    size_t labels = c.labels, fewest = static_cast<size_t>(__builtin_ctzll(want));
    if (want >> labels & 1) push(filter_key(Type::Domain, d), 0);
    for (size_t i = 0; i < d.size() && labels > fewest; ++i) {
      if (d[i] != '.') continue;
      if (want >> --labels & 1) push(filter_key(Type::Domain, d.substr(i + 1)), i + 1);
    }
    return;
  }
  if (d.size() > 253) {
    for_each_parent(d, domain_depths_, [&](std::string_view parent) {
      push(filter_key(Type::Domain, parent), d.size() - parent.size());
      return false;
    });
    return;
  }
  uint8_t dots[256];
  size_t n = 0;
  for (size_t i = 0; i < d.size(); ++i)
    if (d[i] == '.') dots[n++] = static_cast<uint8_t>(i);
  auto wanted = [this](size_t labels) { return domain_depths_ >> std::min<size_t>(labels, 63) & 1; };
  if (wanted(n + 1)) push(filter_key(Type::Domain, d), 0);
  for (size_t j = 0; j + 1 < n; ++j)  // parents that still have a dot
    if (wanted(n - j)) push(filter_key(Type::Domain, d.substr(dots[j] + 1u)), dots[j] + 1u);
}

void IndicatorSet::prepare(const std::vector<Candidate>& cands, Probes& p) const {
  p.keys.clear();
  p.offsets.clear();
  p.first.clear();
  for (const auto& c : cands) {
    p.first.push_back(p.keys.size());
    if (may_match(c.type)) probe_keys(c, p);
  }
  p.first.push_back(p.keys.size());
  for (uint64_t k : p.keys) filter_.prefetch(k);
}

std::optional<Match> IndicatorSet::lookup_with_keys(const Candidate& c, const Probes& p, size_t first,
                                                    size_t last) const {
  if (c.type == Type::Domain) {  // the names lookup() tries, with the keys probe_keys() made
    for (size_t k = first; k < last; ++k)
      if (auto m = find_exact(Type::Domain, c.value.substr(p.offsets[k]), p.keys[k])) return m;
    return std::nullopt;
  }
  if (c.type == Type::Ipv4 && c.ipv4 != 0) return lookup_ipv4(c.ipv4, c.value, p.keys[first]);
  if (c.type == Type::Ipv4 || c.type == Type::Ipv6) return lookup(c);
  return find_exact(c.type, c.value, p.keys[first]);
}

unsigned IndicatorSet::shapes_needed() const {
  auto has = [&](Type t) { return !exact_[static_cast<int>(t)].empty(); };
  unsigned flags = 0;
  if (has(Type::Url)) flags |= kShapeUrl;
  if (has(Type::Md5) || has(Type::Sha1) || has(Type::Sha256)) flags |= kShapeHash;
  if (!ipv4_.empty() || has(Type::Ipv4) || has(Type::Ipv6) || v4_.size() > 1 || v6_.size() > 1) flags |= kShapeIp;
  return flags;
}

std::unordered_map<std::string, size_t> IndicatorSet::counts_by_type() const {
  std::unordered_map<std::string, size_t> out;
  for (const auto& c : counts_by_feed_and_type()) out[type_name(c.type)] += c.count;
  return out;
}

std::vector<IndicatorSet::FeedTypeCount> IndicatorSet::counts_by_feed_and_type() const {
  constexpr size_t kTypes = std::extent_v<decltype(exact_)>;
  std::vector<std::array<size_t, kTypes>> n(feeds_.size(), std::array<size_t, kTypes>{});
  for (size_t t = 0; t < kTypes; ++t)
    for (const auto& [value, feed] : exact_[t]) ++n[feed][t];
  for (const auto& [address, feed] : ipv4_) ++n[feed][static_cast<size_t>(Type::Ipv4)];
  for (const auto* trie : {&v4_, &v6_})
    for (const auto& node : *trie)
      if (node.feed >= 0) ++n[static_cast<size_t>(node.feed)][static_cast<size_t>(Type::Cidr)];
  std::vector<FeedTypeCount> out;
  for (size_t f = 0; f < n.size(); ++f)
    for (size_t t = 0; t < kTypes; ++t)
      if (n[f][t]) out.push_back({feeds_[f], static_cast<Type>(t), n[f][t]});
  return out;
}

}  // namespace sluice::ioc
