#include "sources/http/handlers.hpp"

#include <boost/json.hpp>
#include <sstream>

namespace sluice::http {
namespace {

// Flume's JSONHandler: a list of events; headers must be strings, body is text in the request's
// charset (we accept UTF-8; other charsets are rejected with a clear 400 rather than mis-decoded).
class JsonHandler : public Handler {
 public:
  Batch events(const Request& req) const override {
    auto ct = req.content_type;
    for (auto& c : ct) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (auto p = ct.find("charset="); p != std::string::npos) {
      std::string cs = ct.substr(p + 8);
      cs = cs.substr(0, cs.find(';'));
      if (cs != "utf-8" && cs != "utf8" && cs != "\"utf-8\"")
        throw BadRequest("charset " + cs + " is not supported (send UTF-8)");
    }
    boost::json::error_code ec;
    boost::json::parse_options opts;
    opts.max_depth = 16;
    boost::json::value v = boost::json::parse(req.body, ec, {}, opts);
    if (ec) throw BadRequest("request has invalid JSON syntax: " + ec.message());
    if (!v.is_array()) throw BadRequest("expected a JSON array of {\"headers\": {...}, \"body\": \"...\"} objects");
    Batch out;
    out.reserve(v.as_array().size());
    size_t i = 0;
    for (const auto& item : v.as_array()) {
      if (!item.is_object()) throw BadRequest("element " + std::to_string(i) + " is not an object");
      const auto& o = item.as_object();
      Event e;
      if (auto* h = o.if_contains("headers")) {
        if (!h->is_object()) throw BadRequest("element " + std::to_string(i) + ": headers is not an object");
        for (const auto& [k, hv] : h->as_object()) {
          if (!hv.is_string())
            throw BadRequest("element " + std::to_string(i) + ": header '" + std::string(k) + "' is not a string");
          e.headers.set(std::string(k), std::string(hv.as_string()));
        }
      }
      if (auto* b = o.if_contains("body")) {
        if (!b->is_string()) throw BadRequest("element " + std::to_string(i) + ": body is not a string");
        e.body = std::string(b->as_string());
      }
      out.push_back(std::move(e));
      ++i;
    }
    return out;
  }
};

// Flume's BLOBHandler: the whole body is one event; all request parameters become headers and the
// mandatory ones must be present. A body over maxBlobLength is refused (Flume truncates it; we
// answer 400 instead, so nothing is silently cut).
class BlobHandler : public Handler {
 public:
  explicit BlobHandler(Context& ctx) {
    max_ = static_cast<size_t>(ctx.get_int("maxBlobLength", 100000000, "largest accepted body, bytes", 1));
    std::string m = ctx.get_string("mandatoryParameters", "", "comma-separated request parameters that must be present");
    std::stringstream in(m);
    for (std::string p; std::getline(in, p, ',');) {
      p.erase(0, p.find_first_not_of(" \t"));
      p.erase(p.find_last_not_of(" \t") + 1);
      if (!p.empty()) mandatory_.push_back(p);
    }
  }
  Batch events(const Request& req) const override {
    if (req.body.size() > max_)
      throw BadRequest("body of " + std::to_string(req.body.size()) + " bytes is over maxBlobLength " +
                       std::to_string(max_));
    Event e(req.body);
    auto q = req.target.find('?');
    if (q != std::string::npos)
      for (auto& [k, v] : parse_query(req.target.substr(q + 1))) e.headers.set(k, v);
    for (const auto& m : mandatory_)
      if (!e.headers.contains(m)) throw BadRequest("mandatory parameter '" + m + "' is missing");
    Batch out;
    out.push_back(std::move(e));
    return out;
  }

 private:
  size_t max_;
  std::vector<std::string> mandatory_;
};

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out += static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> parse_query(const std::string& query) {
  std::map<std::string, std::string> out;
  std::stringstream in(query);
  for (std::string pair; std::getline(in, pair, '&');) {
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    out[url_decode(pair.substr(0, eq))] = eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1));
  }
  return out;
}

std::unique_ptr<Handler> make_handler(const std::string& type, Context ctx) {
  if (type == "org.apache.flume.source.http.JSONHandler" || type == "JSONHandler" || type == "json")
    return std::make_unique<JsonHandler>();
  if (type == "org.apache.flume.source.http.BLOBHandler" || type == "BLOBHandler" || type == "blob" ||
      type == "org.apache.flume.sink.solr.morphline.BlobHandler")
    return std::make_unique<BlobHandler>(ctx);
  return nullptr;
}

}  // namespace sluice::http
