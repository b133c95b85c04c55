// Event: Flume's {headers, body}. Headers are a small flat vector (events carry a handful),
// the body is a byte string. Events are moved, never copied, through the hot path.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace sluice {

class Headers {
 public:
  using Entry = std::pair<std::string, std::string>;

  const std::string* find(std::string_view key) const;
  std::string get(std::string_view key, std::string_view fallback = {}) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  // Sets or replaces the value of key.
  void set(std::string key, std::string value);
  // Sets only if absent (Flume's preserveExisting).
  void set_if_absent(std::string key, std::string value);
  bool erase(std::string_view key);
  // For producers that build a fresh event and know their keys are distinct: no lookup.
  void reserve(size_t n) { entries_.reserve(n); }
  void add_new(std::string_view key, std::string value) {
    entries_.emplace_back(std::piecewise_construct, std::forward_as_tuple(key), std::forward_as_tuple(std::move(value)));
  }

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void clear() { entries_.clear(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }
  const std::vector<Entry>& entries() const { return entries_; }
  bool operator==(const Headers&) const = default;

 private:
  std::vector<Entry> entries_;
};

struct Event {
  Headers headers;
  std::string body;

  Event() = default;
  explicit Event(std::string b) : body(std::move(b)) {}
  Event(Headers h, std::string b) : headers(std::move(h)), body(std::move(b)) {}
  Event(Event&&) noexcept = default;
  Event& operator=(Event&&) noexcept = default;
  Event(const Event&) = default;  // replicating selector needs copies
  Event& operator=(const Event&) = default;
  bool operator==(const Event&) const = default;

  // Bytes the event accounts for in byte-bounded queues (body; headers are small).
  size_t byte_size() const { return body.size(); }
};

using Batch = std::vector<Event>;

}  // namespace sluice
