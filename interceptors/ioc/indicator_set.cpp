#include "interceptors/ioc/indicator_set.hpp"

#include <arpa/inet.h>

namespace sluice::ioc {
namespace {

// The address as bits (4 or 16 bytes); false if not an address.
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
bool bit(const std::vector<uint8_t>& b, int i) { return (b[static_cast<size_t>(i / 8)] >> (7 - i % 8)) & 1; }

}  // namespace

int32_t IndicatorSet::feed_index(const std::string& feed) {
  for (size_t i = 0; i < feeds_.size(); ++i)
    if (feeds_[i] == feed) return static_cast<int32_t>(i);
  feeds_.push_back(feed);
  return static_cast<int32_t>(feeds_.size() - 1);
}

void IndicatorSet::add_cidr(const std::string& cidr, const std::string& feed) {
  size_t slash = cidr.find('/');
  std::vector<uint8_t> b;
  if (!address_bytes(cidr.substr(0, slash), b)) return;
  int bits = std::stoi(cidr.substr(slash + 1));
  auto& trie = b.size() == 4 ? v4_ : v6_;
  int32_t node = 0;
  for (int i = 0; i < bits; ++i) {
    int dir = bit(b, i);
    if (trie[static_cast<size_t>(node)].child[dir] < 0) {
      trie[static_cast<size_t>(node)].child[dir] = static_cast<int32_t>(trie.size());
      trie.emplace_back();
    }
    node = trie[static_cast<size_t>(node)].child[dir];
  }
  trie[static_cast<size_t>(node)].feed = feed_index(feed);
  trie[static_cast<size_t>(node)].cidr = cidr;
}

void IndicatorSet::add(const Indicator& i, const std::string& feed) {
  ++count_;
  if (i.type == Type::Cidr) {
    add_cidr(i.value, feed);
    return;
  }
  exact_[static_cast<int>(i.type)].emplace(i.value, feed);
}

std::optional<Match> IndicatorSet::lookup_ip(const std::string& ip) const {
  std::vector<uint8_t> b;
  if (!address_bytes(ip, b)) return std::nullopt;
  const auto& trie = b.size() == 4 ? v4_ : v6_;
  int32_t node = 0, best = -1;
  int bits = static_cast<int>(b.size() * 8);
  for (int i = 0; i <= bits && node >= 0; ++i) {
    if (trie[static_cast<size_t>(node)].feed >= 0) best = node;  // longest prefix so far
    if (i == bits) break;
    node = trie[static_cast<size_t>(node)].child[bit(b, i)];
  }
  if (best < 0) return std::nullopt;
  const auto& n = trie[static_cast<size_t>(best)];
  return Match{Type::Cidr, n.cidr, feeds_[static_cast<size_t>(n.feed)]};
}

std::optional<Match> IndicatorSet::lookup(const Indicator& c) const {
  const auto& set = exact_[static_cast<int>(c.type)];
  if (c.type == Type::Domain) {
    // evil.com matches evil.com and any.sub.evil.com: try the name and each parent at a label boundary.
    std::string_view d = c.value;
    while (true) {
      auto it = set.find(std::string(d));
      if (it != set.end()) return Match{Type::Domain, it->first, it->second};
      size_t dot = d.find('.');
      if (dot == std::string_view::npos) break;
      d.remove_prefix(dot + 1);
      if (d.find('.') == std::string_view::npos) break;  // never match a bare TLD
    }
    return std::nullopt;
  }
  if (auto it = set.find(c.value); it != set.end()) return Match{c.type, it->first, it->second};
  if (c.type == Type::Ipv4 || c.type == Type::Ipv6) return lookup_ip(c.value);
  return std::nullopt;
}

std::unordered_map<std::string, size_t> IndicatorSet::counts_by_type() const {
  std::unordered_map<std::string, size_t> out;
  for (int t = 0; t < 9; ++t)
    if (!exact_[t].empty()) out[type_name(static_cast<Type>(t))] = exact_[t].size();
  size_t cidrs = 0;
  for (const auto& n : v4_) cidrs += n.feed >= 0;
  for (const auto& n : v6_) cidrs += n.feed >= 0;
  if (cidrs) out["cidr"] = cidrs;
  return out;
}

}  // namespace sluice::ioc
