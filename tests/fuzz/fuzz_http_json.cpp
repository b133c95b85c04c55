// Fuzzes the http source's JSONHandler (Flume's JSON event list) and the query-string decoder the
// BLOBHandler uses. A bad request may only raise BadRequest; never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sources/http/handlers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::http;
  static const auto json = make_handler("JSONHandler", sluice::Context());
  Request req;
  req.method = "POST";
  req.target = "/";
  req.content_type = size % 2 ? "application/json; charset=UTF-8" : "application/json";
  req.body.assign(reinterpret_cast<const char*>(data), size);
  try {
    auto events = json->events(req);
    if (events.size() > size) __builtin_trap();
  } catch (const BadRequest&) {
  }
  parse_query(req.body);
  return 0;
}
