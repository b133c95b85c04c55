#include "sources/http_poll/feed_client.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/url.hpp>
#include <ctime>

#include "sources/http_poll/link_header.hpp"

namespace sluice::http_poll {

std::optional<UrlParts> split_url(const std::string& url, std::string* why) {
  auto say = [&](std::string w) -> std::optional<UrlParts> {
    if (why) *why = std::move(w);
    return std::nullopt;
  };
  auto u = boost::urls::parse_uri(url);
  if (!u) return say("is not a valid URL");
  if (u->scheme_id() != boost::urls::scheme::http && u->scheme_id() != boost::urls::scheme::https)
    return say("must start with http:// or https://");
  if (u->encoded_host().empty()) return say("has no host");
  if (!u->encoded_user().empty()) return say("must not carry credentials (use auth.user / auth.passwordFile)");
  UrlParts p;
  std::string authority = std::string(u->encoded_host_and_port());
  try {
    p.endpoint = s3::Endpoint::parse(std::string(u->scheme()) + "://" + authority);
  } catch (const std::invalid_argument&) {
    return say("has no valid host:port");
  }
  p.target = std::string(u->encoded_path());
  if (p.target.empty()) p.target = "/";
  if (u->has_query()) p.target += "?" + std::string(u->encoded_query());
  return p;
}

s3::HttpTransport& FeedClient::transport_for(const s3::Endpoint& ep) {
  std::string key = (ep.tls ? "https://" : "http://") + ep.host + ":" + ep.port;
  auto& t = transports_[key];
  if (!t) {
    s3::TransportOptions o;
    o.timeout = opts_.timeout;
    o.ca_file = opts_.ca_file;
    o.max_response_bytes = opts_.max_response_bytes;
    t = std::make_unique<s3::HttpTransport>(ep, o);
  }
  return *t;
}

FeedResponse FeedClient::fetch(const std::string& first_url, const std::string& etag, const std::string& last_modified,
                               const std::optional<std::string>& authorization) {
  std::string url = first_url, why;
  auto first = split_url(url, &why);
  if (!first) throw RedirectRefused("URL " + url + " " + why);
  std::string method = opts_.method;
  constexpr int kMaxRedirects = 5;
  for (int hop = 0;; ++hop) {
    auto parts = split_url(url, &why);
    if (!parts) throw RedirectRefused("redirect target " + url + " " + why);
    bool same_host = boost::beast::iequals(parts->endpoint.host, first->endpoint.host) &&
                     parts->endpoint.port == first->endpoint.port && parts->endpoint.tls == first->endpoint.tls;
    s3::HttpRequest req;
    req.method = method;
    req.target = parts->target;
    req.headers.emplace_back("Host", parts->endpoint.host_header());
    req.headers.emplace_back("User-Agent", "sluice/" SLUICE_VERSION);
    for (const auto& h : opts_.headers) req.headers.push_back(h);
    if (!etag.empty()) req.headers.emplace_back("If-None-Match", etag);
    if (!last_modified.empty()) req.headers.emplace_back("If-Modified-Since", last_modified);
    if (authorization && same_host) req.headers.emplace_back("Authorization", *authorization);
    if (method == "POST") req.body = opts_.body;
    FeedResponse out;
    out.url = url;
    try {
      out.http = transport_for(parts->endpoint).send(req);
    } catch (const s3::TransportError& e) {
      if (std::string_view(e.what()).find("body limit exceeded") != std::string_view::npos)
        throw ResponseTooLarge("the response of " + url + " is larger than maxResponseBytes (" +
                               std::to_string(opts_.max_response_bytes) + ")");
      throw;
    }
    out.status = out.http.status;
    bool redirect =
        out.status == 301 || out.status == 302 || out.status == 303 || out.status == 307 || out.status == 308;
    std::string location = out.http.header("Location");
    if (!redirect || location.empty() || !opts_.follow_redirects) return out;
    if (hop >= kMaxRedirects) throw RedirectRefused("more than 5 redirects from " + first_url);
    auto next = resolve_url(url, location);
    if (!next) throw RedirectRefused("redirect from " + url + " to an invalid Location: " + location);
    auto target = split_url(*next, &why);
    if (!target) throw RedirectRefused("redirect from " + url + " to " + *next + ": the target " + why);
    if (first->endpoint.tls && !target->endpoint.tls)
      throw RedirectRefused("redirect from " + url + " to " + *next + " refused: it leaves https");
    bool other_host = !boost::beast::iequals(target->endpoint.host, first->endpoint.host) ||
                      target->endpoint.port != first->endpoint.port;
    if (other_host && !opts_.allow_cross_host_redirects)
      throw RedirectRefused("redirect from " + url + " to " + *next +
                            " refused: another host or port (set allowCrossHostRedirects = true to follow it)");
    if (out.status == 303) method = "GET";
    url = *next;
  }
}

}  // namespace sluice::http_poll

namespace sluice::http_poll {
namespace {
std::optional<time_t> parse_http_date(const std::string& s) {
  std::tm tm{};
  const char* end = ::strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return ::timegm(&tm);
}
}  // namespace

bool last_modified_is_safe(const std::string& last_modified, const std::string& date) {
  auto lm = parse_http_date(last_modified), d = parse_http_date(date);
  if (!lm || !d) return true;
  return *lm < *d;
}
}  // namespace sluice::http_poll
