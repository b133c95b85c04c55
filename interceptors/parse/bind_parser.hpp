// BIND query log lines (category queries), with or without the leading date and category:
//   25-Nov-2026 12:00:00.123 queries: info: client @0x7f1c2c0a1b20 10.0.0.5#53211 (example.com):
//     view internal: query: example.com IN A +E(0)K (10.0.0.1)
// Fields: time (the two words before the category or "client", when they start with a digit),
// client, client_port, view (when logged), query, class, qtype, flags, server. BIND 9.9's form
// without "@0x..." and without "(name):" is read too.
// Fails with "bind: no 'client '", "bind: expected address#port", "bind: expected 'query:'" or
// "bind: expected name class type flags (server) after 'query:'".
#pragma once
#include "interceptors/parse/fields.hpp"

namespace sluice::parse {

class BindParser : public FormatParser {
 public:
  bool parse(std::string_view line, Fields& out, std::string& error) override;
};

}  // namespace sluice::parse
