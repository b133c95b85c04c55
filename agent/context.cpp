#include "agent/context.hpp"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>

namespace sluice {

struct Context::State {
  std::string label;
  std::string full_prefix;
  Values values;
  Diagnostics own_diag;  // used when no external diagnostics are given
  Diagnostics* diag = nullptr;
  Location anchor;
  std::set<std::string, std::less<>> read;
  std::vector<KeyDoc> docs;
};

Context::Context() : Context("component", "", {}, nullptr, {}) {}

Context::Context(std::string label, std::string full_prefix, Values values, Diagnostics* diag, Location anchor)
    : state_(std::make_shared<State>()) {
  state_->label = std::move(label);
  state_->full_prefix = std::move(full_prefix);
  state_->values = std::move(values);
  state_->diag = diag ? diag : &state_->own_diag;
  state_->anchor = std::move(anchor);
}

Context::Context(std::shared_ptr<State> state, std::string prefix) : state_(std::move(state)), prefix_(std::move(prefix)) {}

const ConfigValue* Context::lookup(std::string_view key) const {
  auto it = state_->values.find(abs(key));
  return it == state_->values.end() ? nullptr : &it->second;
}

void Context::record(std::string_view key, std::string type, std::string def, std::string_view doc, bool required) {
  std::string k = abs(key);
  state_->read.insert(k);
  for (const auto& d : state_->docs)
    if (d.key == k) return;
  state_->docs.push_back({k, std::move(type), std::move(def), std::string(doc), required});
}

bool Context::has(std::string_view key) const { return lookup(key) != nullptr; }

void Context::mark_read(std::string_view key) { state_->read.insert(abs(key)); }

std::string Context::full_key(std::string_view key) const { return state_->full_prefix + abs(key); }

Location Context::location(std::string_view key) const {
  const ConfigValue* v = lookup(key);
  return v ? v->where : state_->anchor;
}

const std::string& Context::label() const { return state_->label; }
const std::vector<KeyDoc>& Context::documented_keys() const { return state_->docs; }
Diagnostics& Context::diagnostics() const { return *state_->diag; }

void Context::error(std::string_view key, std::string message) {
  state_->diag->error(location(key), full_key(key), std::move(message));
}

void Context::warning(std::string_view key, std::string message) {
  state_->diag->warning(location(key), full_key(key), std::move(message));
}

std::string Context::get_string(std::string_view key, std::string_view def, std::string_view doc) {
  record(key, "string", std::string(def), doc);
  const ConfigValue* v = lookup(key);
  return v ? v->value : std::string(def);
}

std::optional<std::string> Context::get_optional(std::string_view key, std::string_view doc) {
  record(key, "string", "", doc);
  const ConfigValue* v = lookup(key);
  if (!v) return std::nullopt;
  return v->value;
}

std::string Context::require_string(std::string_view key, std::string_view doc) {
  record(key, "string", "", doc, true);
  const ConfigValue* v = lookup(key);
  if (!v || v->value.empty()) {
    error(key, std::string(v ? "is empty" : "is required") + " for " + state_->label);
    return {};
  }
  return v->value;
}

namespace {
std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}
}  // namespace

int64_t Context::get_int(std::string_view key, int64_t def, std::string_view doc, int64_t min, int64_t max) {
  record(key, "int", std::to_string(def), doc);
  const ConfigValue* v = lookup(key);
  if (!v) return def;
  std::string s = trim(v->value);
  // Java's Long.parseLong also accepts a leading '+'.
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
    error(key, "'" + v->value + "' is not a whole number (expected an integer)");
    return def;
  }
  if (out < min || out > max) {
    std::string range = (min == std::numeric_limits<int64_t>::min() ? std::string("..") : std::to_string(min) + "..") +
                        (max == std::numeric_limits<int64_t>::max() ? std::string() : std::to_string(max));
    error(key, std::to_string(out) + " is out of range (expected " + range + ")");
    return def;
  }
  return out;
}

double Context::get_double(std::string_view key, double def, std::string_view doc, double min, double max) {
  std::ostringstream d;
  d << def;
  record(key, "double", d.str(), doc);
  const ConfigValue* v = lookup(key);
  if (!v) return def;
  std::string s = trim(v->value);
  char* end = nullptr;
  double out = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(out)) {
    error(key, "'" + v->value + "' is not a number (expected a decimal number)");
    return def;
  }
  if (out < min || out > max) {
    std::ostringstream r;
    r << out << " is out of range (expected " << min << ".." << max << ")";
    error(key, r.str());
    return def;
  }
  return out;
}

bool Context::get_bool(std::string_view key, bool def, std::string_view doc) {
  record(key, "bool", def ? "true" : "false", doc);
  const ConfigValue* v = lookup(key);
  if (!v) return def;
  std::string s = trim(v->value);
  for (const char* t : {"true", "yes", "on", "1"})
    if (strcasecmp(s.c_str(), t) == 0) return true;
  for (const char* f : {"false", "no", "off", "0"})
    if (strcasecmp(s.c_str(), f) == 0) return false;
  error(key, "'" + v->value + "' is not a boolean (expected true or false)");
  return def;
}

std::string Context::get_choice(std::string_view key, std::string_view def, const std::vector<std::string>& choices,
                                std::string_view doc) {
  std::string type = "one of ";
  for (size_t i = 0; i < choices.size(); ++i) type += (i ? "|" : "") + choices[i];
  record(key, type, std::string(def), doc);
  const ConfigValue* v = lookup(key);
  if (!v) return std::string(def);
  std::string s = trim(v->value);
  for (const auto& c : choices)
    if (strcasecmp(s.c_str(), c.c_str()) == 0) return c;
  error(key, "'" + v->value + "' is not valid (expected " + type + ")");
  return std::string(def);
}

std::vector<std::string> Context::get_list(std::string_view key, std::string_view doc) {
  record(key, "list", "", doc);
  std::vector<std::string> out;
  const ConfigValue* v = lookup(key);
  if (!v) return out;
  std::istringstream in(v->value);
  std::string item;
  while (in >> item) out.push_back(item);
  return out;
}

Context Context::sub(std::string_view prefix) const { return Context(state_, abs(prefix)); }

std::map<std::string, std::string> Context::get_prefixed(std::string_view prefix, std::string_view doc) {
  record(std::string(prefix) + "*", "map", "", doc);
  std::map<std::string, std::string> out;
  std::string p = abs(prefix);
  for (auto it = state_->values.lower_bound(p); it != state_->values.end() && it->first.starts_with(p); ++it) {
    out[it->first.substr(p.size())] = it->second.value;
    state_->read.insert(it->first);
  }
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

void Context::report_unread_keys() {
  for (const auto& [key, value] : state_->values) {
    if (state_->read.count(key)) continue;
    bool under_family = false;  // a key under a declared prefix family ("kafka.producer.*")
    for (const auto& d : state_->docs)
      if (d.key.ends_with("*") && key.starts_with(d.key.substr(0, d.key.size() - 1))) under_family = true;
    if (under_family) continue;
    std::string best;
    size_t best_d = 3;
    for (const auto& d : state_->docs) {
      if (d.key.ends_with("*")) continue;
      size_t dist = edit_distance(key, d.key);
      if (dist < best_d) {
        best_d = dist;
        best = d.key;
      }
    }
    std::string msg = "is not a key of " + state_->label;
    if (!best.empty()) msg += "; did you mean '" + best + "'?";
    state_->diag->warning(value.where, state_->full_prefix + key, msg);
  }
}

}  // namespace sluice
