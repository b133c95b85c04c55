// Apache / nginx "combined" access log (and "common", which stops after the byte count):
//   127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "http://ref/" "Mozilla/4.08"
// Fields: client, ident, user, time (the text between the brackets), request, method, url,
// protocol (these three only when the request line has three parts), status, bytes, referer,
// user_agent. "-" values are left out. Quoted values keep the server's escapes (\" or \x22) as
// logged; text after the user agent (extra nginx variables) is ignored.
// Hand-written string_view scanning: no regex, no allocation.
#pragma once
#include "interceptors/parse/fields.hpp"

namespace sluice::parse {

class CombinedParser : public FormatParser {
 public:
  bool parse(std::string_view line, Fields& out, std::string& error) override;
};

}  // namespace sluice::parse
