#include "interceptors/parse/schema.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <ctime>

namespace sluice::parse {
namespace {

bool parse_int(std::string_view v, int64_t& out) {
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return !v.empty() && ec == std::errc() && p == v.data() + v.size();
}

// Copies v into a NUL-terminated stack buffer for C APIs; false if it does not fit.
template <size_t N>
bool c_string(std::string_view v, char (&buf)[N]) {
  if (v.size() >= N) return false;
  std::memcpy(buf, v.data(), v.size());
  buf[v.size()] = '\0';
  return true;
}

}  // namespace

std::optional<FieldType> FieldType::parse(std::string_view spec, std::string& error) {
  FieldType t;
  t.spec = std::string(spec);
  if (spec == "string")
    t.kind = Kind::String;
  else if (spec == "int")
    t.kind = Kind::Int;
  else if (spec == "float")
    t.kind = Kind::Float;
  else if (spec == "ip")
    t.kind = Kind::Ip;
  else if (spec == "epoch")
    t.kind = Kind::Epoch;
  else if (spec == "epoch_ms")
    t.kind = Kind::EpochMs;
  else if (spec.starts_with("timestamp:") && spec.size() > 10) {
    t.kind = Kind::Timestamp;
    t.format = std::string(spec.substr(10));
  } else if (spec.starts_with("enum:") && spec.size() > 5) {
    t.kind = Kind::Enum;
    std::string_view rest = spec.substr(5);
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view v = rest.substr(0, comma);
      if (!v.empty()) t.values.emplace_back(v);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  } else {
    error = "'" + std::string(spec) +
            "' is not a field type (expected string, int, float, ip, epoch, epoch_ms, timestamp:<strptime format> "
            "or enum:A,B,C)";
    return std::nullopt;
  }
  return t;
}

bool FieldType::to_epoch_ms(std::string_view v, int64_t& ms) const {
  switch (kind) {
    case Kind::EpochMs: return all_digits(v) && parse_int(v, ms);
    case Kind::Epoch: {
      size_t dot = v.find('.');
      std::string_view secs = v.substr(0, dot),
                       frac = dot == std::string_view::npos ? std::string_view() : v.substr(dot + 1);
      int64_t s = 0;
      if (!all_digits(secs) || !parse_int(secs, s) || s > 100000000000LL) return false;
      if (dot != std::string_view::npos && !all_digits(frac)) return false;
      int64_t f = 0;
      for (size_t i = 0; i < 3; ++i) f = f * 10 + (i < frac.size() ? frac[i] - '0' : 0);
      ms = s * 1000 + f;
      return true;
    }
    case Kind::Timestamp: {
      char buf[128];
      if (!c_string(v, buf)) return false;
      std::tm tm{};
      const char* end = strptime(buf, format.c_str(), &tm);
      if (!end || *end != '\0') return false;
      long gmtoff = tm.tm_gmtoff;  // set by %z, else 0
      ms = (static_cast<int64_t>(timegm(&tm)) - gmtoff) * 1000;
      return true;
    }
    default: return false;
  }
}

bool FieldType::check(std::string_view v) const {
  switch (kind) {
    case Kind::String: return true;
    case Kind::Int: {
      int64_t x;
      return parse_int(v, x);
    }
    case Kind::Float: {
      double d;
      if (!v.empty() && v.front() == '+') v.remove_prefix(1);
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
      return !v.empty() && ec == std::errc() && p == v.data() + v.size();
    }
    case Kind::Ip: {
      char buf[64];
      unsigned char addr[16];
      if (!c_string(v, buf)) return false;
      return inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1;
    }
    case Kind::Enum:
      for (const auto& e : values)
        if (e == v) return true;
      return false;
    case Kind::Epoch:
    case Kind::EpochMs:
    case Kind::Timestamp: {
      int64_t ms;
      return to_epoch_ms(v, ms);
    }
  }
  return false;
}

std::string FieldType::describe() const {
  switch (kind) {
    case Kind::String: return "a string";
    case Kind::Int: return "an int";
    case Kind::Float: return "a float";
    case Kind::Ip: return "an ip";
    case Kind::Epoch: return "epoch seconds";
    case Kind::EpochMs: return "epoch ms";
    case Kind::Timestamp: return "a timestamp like " + format;
    case Kind::Enum: {
      std::string s = "one of ";
      for (size_t i = 0; i < values.size(); ++i) s += (i ? "," : "") + values[i];
      return s;
    }
  }
  return spec;
}

const FieldType* Schema::type_of(std::string_view field) const {
  for (const auto& [name, t] : types)
    if (name == field) return &t;
  return nullptr;
}

SchemaResult Schema::check(const Fields& fields, std::string& reason) const {
  for (const auto& r : required) {
    const std::string_view* v = fields.find(r);
    if (!v || v->empty()) {
      reason = "missing field " + r;
      return SchemaResult::MissingField;
    }
  }
  for (const auto& [name, t] : types) {
    if (t.kind == FieldType::Kind::String) continue;
    const std::string_view* v = fields.find(name);
    if (!v) continue;  // absence is the job of `required`
    if (!t.check(*v)) {
      reason = "field " + name + ": '" + sanitize_for_reason(*v) + "' is not " + t.describe();
      return SchemaResult::BadValue;
    }
  }
  return SchemaResult::Ok;
}

std::string sanitize_for_reason(std::string_view v, size_t max) {
  std::string out;
  size_t n = std::min(v.size(), max);
  out.reserve(n + 3);
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(v[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (v.size() > max) out += "...";
  return out;
}

}  // namespace sluice::parse
