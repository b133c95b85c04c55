// One GET (or POST) of a feed URL for http_poll, over the existing Beast client
// (sinks/backends/s3/http_transport: plain or TLS with certificate and host-name verification,
// a deadline per exchange, a cap on the body). Adds what polling needs on top: the request
// headers, the conditional validators, the Authorization header, and the redirect policy
// (not followed unless asked; then only to the same host and never from https to http, unless
// cross-host redirects are allowed; Authorization is never sent to another host).
// One FeedClient is used for one poll: connections are kept alive across its pages.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "sinks/backends/s3/http_transport.hpp"

namespace sluice::http_poll {

struct FeedRequestOptions {
  std::string method = "GET";
  std::string body;                                          // for POST
  std::vector<std::pair<std::string, std::string>> headers;  // headers.<Name>
  std::chrono::milliseconds timeout{30000};
  size_t max_response_bytes = 16 * 1024 * 1024;
  bool follow_redirects = false;
  bool allow_cross_host_redirects = false;
  std::string ca_file;  // empty: the system's trust store
};

struct FeedResponse {
  int status = 0;
  std::string url;  // the URL that answered (after redirects)
  s3::HttpResponse http;
};

// The body was larger than maxResponseBytes (never retried sooner than the interval).
class ResponseTooLarge : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A redirect the policy does not allow (or a loop); not a network error.
class RedirectRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The parts of an absolute http(s) URL; nullopt with a reason in *why if it is not one.
struct UrlParts {
  s3::Endpoint endpoint;
  std::string target;  // path + query, at least "/"
};
std::optional<UrlParts> split_url(const std::string& url, std::string* why = nullptr);

class FeedClient {
 public:
  explicit FeedClient(FeedRequestOptions opts) : opts_(std::move(opts)) {}
  // validators: If-None-Match / If-Modified-Since values (empty: not sent). authorization: the
  // header value for the URL's host (nullopt: none). Throws s3::TransportError (network, timeout),
  // s3::CertificateError, ResponseTooLarge, RedirectRefused.
  FeedResponse fetch(const std::string& url, const std::string& etag, const std::string& last_modified,
                     const std::optional<std::string>& authorization);

 private:
  s3::HttpTransport& transport_for(const s3::Endpoint& ep);
  FeedRequestOptions opts_;
  std::map<std::string, std::unique_ptr<s3::HttpTransport>> transports_;  // by scheme://host:port
};

}  // namespace sluice::http_poll

namespace sluice::http_poll {
// False when Last-Modified is not at least one second before Date (both HTTP-dates): a change
// later in that same second would keep the same Last-Modified, so it must not be sent back as
// If-Modified-Since. True when Date is missing or either does not parse.
bool last_modified_is_safe(const std::string& last_modified, const std::string& date);
}  // namespace sluice::http_poll
