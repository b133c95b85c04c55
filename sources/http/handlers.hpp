// Request handlers of the http source, as Flume's HTTPSourceHandler: turn one HTTP request into
// events. JSONHandler (default): a JSON array of {"headers": {...}, "body": "..."}; BLOBHandler: the
// request body is one event, request parameters become headers. A malformed request raises
// BadRequest (answered 400 with the reason); nothing is half-accepted.
#pragma once
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/context.hpp"
#include "agent/event.hpp"

namespace sluice::http {

class BadRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Request {
  std::string method;
  std::string target;  // path and query
  std::string content_type;
  std::string body;
};

class Handler {
 public:
  virtual ~Handler() = default;
  virtual Batch events(const Request& req) const = 0;
};

// ctx is the source's "handler." sub-context; type is the source's `handler` value.
// Reports an unknown handler to ctx and returns nullptr.
std::unique_ptr<Handler> make_handler(const std::string& type, Context ctx);

// Decodes application/x-www-form-urlencoded pairs (query strings and form bodies).
std::map<std::string, std::string> parse_query(const std::string& query);

}  // namespace sluice::http
