// Candidate extraction: the body is cut into tokens at whitespace, quotes, brackets and separators,
// and each token is classified exactly (URL and its host, host:port, IPv4/IPv6, email and its
// domain, md5/sha1/sha256, domain). One pass over the bytes, no regular expressions.
// Field mode takes the fields of a known format instead: squid (native access.log: client IP,
// URL host, destination IP), combined (Apache/nginx: client IP, request URL, referer) and syslog
// (the message part of an RFC 3164/5424 line: PRI, timestamp and host are not swept).
#pragma once
#include <string_view>
#include <vector>

#include "interceptors/ioc/indicator.hpp"

namespace sluice::ioc {

enum class Mode { Body, Squid, Combined, Json, Syslog };

struct Candidates {
  std::vector<Indicator> items;
  std::string source_key;  // the client IP where the format has one (for de-duplication)
};

void extract(std::string_view body, Mode mode, Candidates& out);
// Classifies one value as a body token would be (for field extractors); appends to out.
void add_token(std::string_view value, Candidates& out);

}  // namespace sluice::ioc
