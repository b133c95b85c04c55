// The fields one log line parses into, and the interface every format parser implements.
// Values are views into the event body where possible; a parser that has to unescape a value
// copies it into storage the Fields own (reused from event to event, so steady state allocates
// nothing). A FormatParser instance is used by one thread at a time (the interceptor keeps a pool).
#pragma once
#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::parse {

// True for a non-empty run of ASCII digits (the check squid fields and schema types share).
inline bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

struct Field {
  std::string_view name;
  std::string_view value;
};

class Fields {
 public:
  void add(std::string_view name, std::string_view value) { items_.push_back({name, value}); }
  // Copies s into storage that lives until clear(); returns a view of the copy.
  std::string_view own(std::string_view s) {
    if (used_ == owned_.size()) owned_.emplace_back();
    std::string& slot = owned_[used_++];
    slot.assign(s.data(), s.size());
    return slot;
  }
  // A reusable buffer to build an owned value in; keep it with own_scratch().
  std::string& scratch() {
    if (used_ == owned_.size()) owned_.emplace_back();
    owned_[used_].clear();
    return owned_[used_];
  }
  std::string_view own_scratch() { return owned_[used_++]; }
  // Last value of name (a repeated name's last value wins, as it does in headers), or nullptr.
  const std::string_view* find(std::string_view name) const {
    for (auto it = items_.rbegin(); it != items_.rend(); ++it)
      if (it->name == name) return &it->value;
    return nullptr;
  }
  const std::vector<Field>& items() const { return items_; }
  size_t size() const { return items_.size(); }
  void clear() {
    items_.clear();
    used_ = 0;
  }

 private:
  std::vector<Field> items_;
  std::deque<std::string> owned_;  // deque: the strings never move, so views stay valid
  size_t used_ = 0;
};

class FormatParser {
 public:
  virtual ~FormatParser() = default;
  // Parses line into out (cleared by the caller). On failure returns false and sets error to a
  // short reason that names the format, e.g. "squid: 7 fields, expected 10".
  virtual bool parse(std::string_view line, Fields& out, std::string& error) = 0;
};

// Byte-wise tests on 8 bytes at once (SWAR): a byte of x equal to c / any byte with the high bit.
constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
inline uint64_t swar_eq(uint64_t x, unsigned char c) {
  uint64_t v = x ^ (kOnes * c);
  return (v - kOnes) & ~v & kHighs;
}
inline uint64_t swar_load(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}

// Splits off the next run of non-space characters (spaces and tabs separate); empty at the end.
inline std::string_view next_token(std::string_view& s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  size_t b = i;
  for (; i + 8 <= s.size(); i += 8) {  // whole words without a separator (URLs are long)
    uint64_t x = swar_load(s.data() + i);
    if (swar_eq(x, ' ') | swar_eq(x, '\t')) break;
  }
  while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
  std::string_view tok = s.substr(b, i - b);
  s.remove_prefix(i);
  return tok;
}

// Removes a trailing CR/LF (lines from files or sockets may keep them).
inline std::string_view chomp(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace sluice::parse
