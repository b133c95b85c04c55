#include "sources/http_poll_source.hpp"

#include <boost/beast/core/string.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "sources/http_poll/link_header.hpp"

namespace sluice {
namespace fs = std::filesystem;
using namespace http_poll;

namespace {
bool same_origin(const std::string& a, const std::string& b) {
  auto x = split_url(a), y = split_url(b);
  return x && y && x->endpoint.tls == y->endpoint.tls && x->endpoint.port == y->endpoint.port &&
         boost::beast::iequals(x->endpoint.host, y->endpoint.host);
}
}  // namespace

HttpPollSource::HttpPollSource(const std::string& name, Context& ctx)
    : Source(name),
      polls_(counters_.group->counter("PollCount")),
      poll_errors_(counters_.group->counter("PollErrorCount")),
      not_modified_(counters_.group->counter("NotModifiedCount")),
      pages_(counters_.group->counter("PageCount")) {
  url_ = ctx.require_string("url", "http:// or https:// URL to poll");
  std::string why;
  if (!url_.empty() && !split_url(url_, &why)) ctx.error("url", "'" + url_ + "' " + why);
  interval_s_ = ctx.get_double("interval", 60, "seconds between polls", 0.01);
  request_.method = ctx.get_choice("method", "GET", {"GET", "POST"}, "HTTP method");
  request_.body = ctx.get_string("requestBody", "", "body sent with method POST");
  for (auto& [k, v] : ctx.get_prefixed("headers.", "headers.<Name> = extra request header"))
    request_.headers.emplace_back(k, v);
  std::string fmt = ctx.get_choice("format", "lines", {"lines", "json_array", "json_lines", "body"},
                                   "how a response is cut into events");
  format_ = parse_feed_format(fmt).value_or(FeedFormat::Lines);
  url_header_ = ctx.get_string("urlHeader", "url", "event header carrying the URL; empty: none");
  double timeout = ctx.get_double("timeout", 30, "seconds for connect and each request/response", 0.001);
  request_.timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout * 1000));
  request_.max_response_bytes = static_cast<size_t>(
      ctx.get_int("maxResponseBytes", 16 * 1024 * 1024, "largest response body accepted, bytes", 1));
  request_.follow_redirects = ctx.get_bool("followRedirects", false, "follow 3xx redirects to the same host and port");
  request_.allow_cross_host_redirects = ctx.get_bool(
      "allowCrossHostRedirects", false, "with followRedirects: follow redirects to other hosts or ports too");
  request_.ca_file = ctx.get_string("caFile", "", "PEM file of trusted CAs; empty: the system trust store");
  auth_.token_file = ctx.get_string("auth.tokenFile", "", "file holding a bearer token");
  auth_.token_env = ctx.get_string("auth.tokenEnv", "", "environment variable holding a bearer token");
  auth_.user = ctx.get_string("auth.user", "", "user name for basic auth");
  auth_.password_file = ctx.get_string("auth.passwordFile", "", "file holding the basic auth password");
  auth_.password_env = ctx.get_string("auth.passwordEnv", "", "environment variable holding the password");
  if (std::string problem = auth_settings_problem(auth_); !problem.empty()) ctx.error("auth.user", problem);
  const char* home = std::getenv("HOME");
  state_path_ = ctx.get_optional("stateFile",
                                 "where validators and cursors persist across restarts "
                                 "(default ~/.flume/http-poll-<source name>.json)")
                    .value_or(std::string(home ? home : "") + "/.flume/http-poll-" + name + ".json");
  batch_size_ = static_cast<size_t>(ctx.get_int("batchSize", 100, "events per channel transaction", 1));
  max_pages_ = ctx.get_int("maxPagesPerPoll", 10, "Link rel=next pages fetched per poll", 1);
  resume_lines_ = ctx.get_bool("resumeLines", true, "lines: emit only lines after the last one emitted");
  max_backoff_s_ = ctx.get_double("maxBackoff", 300, "longest wait after errors, seconds", 0.01);
}

HttpPollSource::~HttpPollSource() { stop(); }

void HttpPollSource::load_state() {
  if (state_loaded_) return;
  state_ = load_poll_state(state_path_);  // throws: a corrupt state must not silently re-emit
  state_loaded_ = true;
}

void HttpPollSource::start() {
  std::error_code ec;
  fs::path dir = fs::path(state_path_).parent_path();
  if (!dir.empty()) fs::create_directories(dir, ec);
  load_state();
  stop_ = false;
  counters_.group->mark_start();
  thread_ = std::thread([this] { run(); });
}

void HttpPollSource::stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
  counters_.group->mark_stop();
}

void HttpPollSource::run() {
  double backoff_s = 0;
  while (!stop_) {
    double wait_s = interval_s_;
    Outcome o = Outcome::Failed;
    try {
      o = poll_once();
    } catch (const std::exception& e) {
      counters_.generic_processing_fail.inc();
      SLUICE_LOG(Error, name_) << "poll failed: " << e.what();
    }
    if (o == Outcome::Backoff) {
      backoff_s = backoff_s == 0 ? 1 : std::min(backoff_s * 2, max_backoff_s_);
      wait_s = std::min(backoff_s, max_backoff_s_);
    } else {
      backoff_s = 0;
      if (o == Outcome::ChannelFull) wait_s = std::min(interval_s_, 0.5);
    }
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(wait_s * 1000));
    while (!stop_ && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool HttpPollSource::deliver_pending() {
  auto& p = *pending_;
  while (!p.events.empty()) {
    size_t n = std::min(batch_size_, p.events.size());
    Batch batch(p.events.begin(), p.events.begin() + static_cast<std::ptrdiff_t>(n));
    try {
      processor().process(std::move(batch));
    } catch (const ChannelException& e) {
      counters_.channel_write_fail.inc();
      if (warn_.allow())
        SLUICE_LOG(Warn, name_) << "channel full, holding " << p.events.size() << " events: " << e.what();
      return false;
    }
    counters_.events_accepted.inc(static_cast<int64_t>(n));
    counters_.append_batch_accepted.inc();
    p.events.erase(p.events.begin(), p.events.begin() + static_cast<std::ptrdiff_t>(n));
  }
  state_ = std::move(p.after);
  pending_.reset();
  try {
    save_poll_state(state_path_, state_);
  } catch (const std::exception& e) {
    // The events are committed; the state stays in memory, only a restart would repeat them.
    counters_.generic_processing_fail.inc();
    SLUICE_LOG(Error, name_) << e.what() << "; a restart would emit the last response again";
  }
  return true;
}

HttpPollSource::Outcome HttpPollSource::classify_status(const FeedResponse& r) {
  int s = r.status;
  std::string excerpt = r.http.body.substr(0, 200);
  for (auto& c : excerpt)
    if (c == '\n' || c == '\r') c = ' ';
  poll_errors_.inc();
  if (s >= 300 && s < 400) {
    if (error_log_.allow())
      SLUICE_LOG(Error, name_) << request_.method << " " << r.url << " answered " << s << " redirect to '"
                               << r.http.header("Location")
                               << "', not followed (set followRedirects = true to follow it)";
    return Outcome::Failed;
  }
  if (s >= 500 || s == 429 || s == 408) {
    if (error_log_.allow())
      SLUICE_LOG(Warn, name_) << r.url << " answered " << s << " (will retry with backoff): " << excerpt;
    return Outcome::Backoff;
  }
  if (error_log_.allow())
    SLUICE_LOG(Error, name_) << r.url << " answered " << s << " (check url, auth and headers): " << excerpt;
  return Outcome::Failed;
}

// A page that fails for good (an expired page token answers 4xx) must not block the feed: the next
// poll starts again from url (pages already delivered may come again: at-least-once).
void HttpPollSource::forget_page_cursor() {
  SLUICE_LOG(Warn, name_) << "dropping the saved page " << state_.resume_url << "; the next poll starts from " << url_;
  state_.resume_url.clear();
  try {
    save_poll_state(state_path_, state_);
  } catch (const std::exception& e) {
    SLUICE_LOG(Error, name_) << e.what();
  }
}

HttpPollSource::Outcome HttpPollSource::poll_once() {
  load_state();
  if (pending_ && !deliver_pending()) return Outcome::ChannelFull;
  polls_.inc();
  try {
    return fetch_pages();
  } catch (const ResponseTooLarge& e) {
    poll_errors_.inc();
    if (error_log_.allow()) SLUICE_LOG(Error, name_) << e.what();
    return Outcome::Failed;
  } catch (const RedirectRefused& e) {
    poll_errors_.inc();
    if (error_log_.allow()) SLUICE_LOG(Error, name_) << e.what();
    return Outcome::Failed;
  } catch (const s3::CertificateError& e) {
    poll_errors_.inc();
    if (error_log_.allow())
      SLUICE_LOG(Error, name_) << e.what() << " (set caFile to the CA that signed the server's certificate)";
    return Outcome::Failed;
  } catch (const s3::TransportError& e) {
    poll_errors_.inc();
    if (warn_.allow()) SLUICE_LOG(Warn, name_) << e.what() << " (will retry with backoff)";
    return Outcome::Backoff;
  }
}

HttpPollSource::Outcome HttpPollSource::fetch_pages() {
  FeedClient client(request_);
  std::optional<std::string> authorization;
  try {
    authorization = authorization_value(auth_);
  } catch (const std::exception& e) {
    poll_errors_.inc();
    if (error_log_.allow()) SLUICE_LOG(Error, name_) << e.what();
    return Outcome::Failed;
  }
  bool resumed = !state_.resume_url.empty();
  std::string url = resumed ? state_.resume_url : url_;
  bool delivered = false;
  for (int64_t page = 0; page < max_pages_; ++page) {
    bool first = page == 0 && !resumed;  // the configured URL itself (conditional, line cursor)
    FeedResponse r = client.fetch(url, first ? state_.etag : "", first ? state_.last_modified : "", authorization);
    pages_.inc();
    if (r.status == 304 && first) {
      not_modified_.inc();
      return Outcome::NotModified;
    }
    if (r.status < 200 || r.status > 299) {
      Outcome o = classify_status(r);
      if (o == Outcome::Failed && url != url_) forget_page_cursor();
      return o;
    }
    PollState after = state_;
    std::vector<std::string> records;
    const std::string& body = r.http.body;
    if (first && format_ == FeedFormat::Lines && resume_lines_) {
      LineWindow w = new_lines(body, state_.lines);
      if (w.replaced)
        SLUICE_LOG(Info, name_) << url << " no longer starts with the " << state_.lines.offset
                                << " bytes already read (replaced or truncated); reading it from the start";
      append_lines(std::string_view(body).substr(w.begin, w.end - w.begin), records);
      after.lines = w.next;
    } else {
      SplitResult split = split_response(format_, body);
      if (!split.error.empty()) {
        poll_errors_.inc();
        if (error_log_.allow()) SLUICE_LOG(Error, name_) << url << ": " << split.error;
        return Outcome::Failed;
      }
      if (split.invalid) {
        counters_.event_read_fail.inc(static_cast<int64_t>(split.invalid));
        if (warn_.allow())
          SLUICE_LOG(Warn, name_) << url << ": skipped " << split.invalid << " lines that are not JSON";
      }
      records = std::move(split.records);
    }
    if (first) {
      after.etag = r.http.header("ETag");
      std::string lm = r.http.header("Last-Modified");
      after.last_modified = last_modified_is_safe(lm, r.http.header("Date")) ? lm : "";
    }
    std::string next;  // empty: no further page
    if (auto link = next_link(r.http.header("Link")))
      if (auto abs = resolve_url(r.url, *link)) next = *abs;
    if (next == url || next == url_) next.clear();  // a page pointing at itself or at the start
    if (!next.empty() && !request_.allow_cross_host_redirects && !same_origin(next, url_)) {
      poll_errors_.inc();
      if (error_log_.allow())
        SLUICE_LOG(Error, name_) << url << " links to the next page " << next << " on another host or port; not "
                                 << "followed (set allowCrossHostRedirects = true to follow it)";
      next.clear();
    }
    after.resume_url = next;
    Pending p{{}, std::move(after)};
    p.events.reserve(records.size());
    for (auto& rec : records) {
      Event e(std::move(rec));
      if (!url_header_.empty()) e.headers.set(url_header_, r.url);
      p.events.push_back(std::move(e));
    }
    counters_.events_received.inc(static_cast<int64_t>(p.events.size()));
    delivered = delivered || !p.events.empty();
    pending_ = std::move(p);
    if (!deliver_pending()) return Outcome::ChannelFull;
    if (next.empty()) break;
    url = next;
  }
  return delivered ? Outcome::Delivered : Outcome::NotModified;
}

}  // namespace sluice
