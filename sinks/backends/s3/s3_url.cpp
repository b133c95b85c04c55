#include "sinks/backends/s3/s3_url.hpp"

#include <stdexcept>

namespace sluice::s3 {
namespace {

std::optional<size_t> scheme_length(std::string_view p) {
  for (std::string_view s : {"s3://", "s3a://", "s3n://"})
    if (p.starts_with(s)) return s.size();
  return std::nullopt;
}

}  // namespace

bool is_s3_url(std::string_view path) { return scheme_length(path).has_value(); }

S3Url parse_s3_url(std::string_view path) {
  auto n = scheme_length(path);
  if (!n) throw std::invalid_argument("'" + std::string(path) + "' is not an s3:// or s3a:// path");
  std::string_view rest = path.substr(*n);
  auto slash = rest.find('/');
  S3Url out;
  out.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) out.key = std::string(rest.substr(slash + 1));
  // S3's bucket naming rules: 3-63 characters of a-z 0-9 . -, starting and ending alphanumeric.
  const std::string& b = out.bucket;
  bool ok = b.size() >= 3 && b.size() <= 63 && std::isalnum(static_cast<unsigned char>(b.front())) &&
            std::isalnum(static_cast<unsigned char>(b.back()));
  for (char c : b) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-');
  if (!ok)
    throw std::invalid_argument("'" + std::string(path) + "': '" + b +
                                "' is not a valid S3 bucket name (3-63 of a-z 0-9 . -)");
  while (!out.key.empty() && out.key.front() == '/') out.key.erase(0, 1);
  return out;
}

std::string join_key(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  while (!out.empty() && out.back() == '/') out.pop_back();
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  if (!out.empty()) out += '/';
  out += name;
  return out;
}

}  // namespace sluice::s3
