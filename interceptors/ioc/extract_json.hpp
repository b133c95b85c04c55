// Field mode for JSON bodies (ioc_sweeper mode = json): candidates come only from the configured
// paths, dotted names through nested objects (`client.ip`, `http.request.url`); an array on the way
// or at the end contributes every element. Each string (or number) found is classified like a body
// token (URL and its host, IP, domain, email, hash). A body that is not a JSON object falls back to
// the whole-body scan, as the other field modes do for lines that do not fit their format.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "interceptors/ioc/extract.hpp"

namespace sluice::ioc {

struct JsonFields {
  std::vector<std::vector<std::string>> paths;  // each split at '.'
  std::vector<std::string> source_path;         // where the source key (client IP) is; empty: none
  // Parses "a.b c.d" (space separated); false with a reason for an empty path or empty segment.
  static bool parse(const std::string& spec, std::vector<std::vector<std::string>>& out, std::string& why);
};

// Thread-safe (one parser per thread). Documents above 16 MiB or nested deeper than 64 fall back.
void extract_json(std::string_view body, const JsonFields& fields, Candidates& out);

}  // namespace sluice::ioc
