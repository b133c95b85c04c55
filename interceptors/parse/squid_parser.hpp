// Squid's native access.log format (logformat squid):
//   time.ms elapsed client code/status bytes method URL user hierarchy/peer type
//   1763856000.123    120 10.1.2.3 TCP_MISS/200 5120 GET http://example.com/ - HIER_DIRECT/1.2.3.4 text/html
// Fields: time, elapsed, client, code, status, bytes, method, url, user, hierarchy, peer,
// content_type. A "-" (Squid's "no value") is left out, so `user` is absent for anonymous requests.
// Hand-written string_view scanning: no regex, no allocation; values are views into the line.
#pragma once
#include "interceptors/parse/fields.hpp"

namespace sluice::parse {

class SquidParser : public FormatParser {
 public:
  bool parse(std::string_view line, Fields& out, std::string& error) override;
};

}  // namespace sluice::parse
