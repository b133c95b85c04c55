// Type: http_poll (beyond Flume). Polls a URL on an interval (threat-intel feeds, REST APIs) and
// emits what it returns as events; the header urlHeader carries the URL that answered.
// Keys (defaults):
//   url (required)            http:// or https:// URL to poll
//   interval (60)             seconds between polls (fractions allowed)
//   method (GET)              GET | POST; requestBody ("") is sent with POST
//   headers.<Name>            extra request headers
//   format (lines)            lines | json_array | json_lines | body (see http_poll/response_splitter)
//   urlHeader (url)           event header with the URL; empty: none
//   timeout (30)              seconds for connecting and for each request/response exchange
//   maxResponseBytes (16 MiB) a bigger response is an error; memory stays bounded
//   followRedirects (false)   follow 3xx to the same host (never from https to http)
//   allowCrossHostRedirects (false)
//   caFile ("")               PEM file of trusted CAs for https; empty: the system trust store
//   auth.tokenFile | auth.tokenEnv                   bearer token
//   auth.user + auth.passwordFile | auth.passwordEnv basic auth
//   stateFile (~/.flume/http-poll-<source>.json)     validators, line cursor, pagination cursor
//   batchSize (100)           events per channel transaction
//   maxPagesPerPoll (10)      Link rel="next" pages fetched per poll; the rest on the next poll
//                             (only on url's host and port unless allowCrossHostRedirects; a page
//                             that answers 4xx is dropped and the next poll starts from url)
//   resumeLines (true)        format lines: emit only lines after the last emitted one when the
//                             server sends the whole (append-only) file again
//   maxBackoff (300)          seconds; cap of the backoff after errors (1 s, 2 s, 4 s, ...)
// Guarantees: conditional requests (If-None-Match, If-Modified-Since; 304 emits nothing). The
// state of a response is saved (atomically) only after all its events were committed to the
// channel: a restart does not emit again what was delivered, and a crash before the commit
// fetches it again (at-least-once: events of that response committed before the crash come
// again). The `lines` resume is by byte offset plus SHA-256 of the bytes before it, so a replaced
// or truncated feed is read from its start. A Last-Modified in the same second as Date is not
// used for If-Modified-Since (RFC 9110 8.8.2.2: it may hide a change made later in that second).
// A full channel keeps the events and retries them (never drops). Connection errors, timeouts and
// 5xx back off (capped exponential); 4xx, refused redirects and oversized responses are logged
// and retried at the next interval. The secret of auth.* is read for each poll and never logged.
// stop() waits for a request in flight (at most `timeout` per exchange).
// Counters: PollCount, PollErrorCount, NotModifiedCount, PageCount.
#pragma once
#include <atomic>
#include <optional>
#include <thread>

#include "agent/source.hpp"
#include "sources/http_poll/feed_client.hpp"
#include "sources/http_poll/poll_state.hpp"
#include "sources/http_poll/request_auth.hpp"
#include "sources/http_poll/response_splitter.hpp"

namespace sluice {

class HttpPollSource : public Source {
 public:
  HttpPollSource(const std::string& name, Context& ctx);
  ~HttpPollSource() override;
  void start() override;
  void stop() override;

  enum class Outcome {
    Delivered,    // a response (or pages) with events, all committed
    NotModified,  // 304, or nothing new
    ChannelFull,  // events kept; retried by the next poll_once before anything is fetched
    Backoff,      // network error, timeout, 5xx: retried after a growing delay
    Failed,       // 4xx, refused redirect, oversized or malformed response: retried next interval
  };
  // One poll: first delivers events a full channel refused, then fetches the URL and its next
  // pages. Loads the state file on first use. Used by the thread and by tests.
  Outcome poll_once();

 private:
  struct Pending {
    Batch events;
    http_poll::PollState after;  // saved once events are all committed
  };
  void load_state();
  bool deliver_pending();
  void forget_page_cursor();
  Outcome fetch_pages();
  Outcome classify_status(const http_poll::FeedResponse& r);
  void run();

  std::string url_, url_header_, state_path_;
  http_poll::FeedFormat format_ = http_poll::FeedFormat::Lines;
  http_poll::FeedRequestOptions request_;
  http_poll::AuthSettings auth_;
  double interval_s_ = 60, max_backoff_s_ = 300;
  size_t batch_size_ = 100;
  int64_t max_pages_ = 10;
  bool resume_lines_ = true;

  bool state_loaded_ = false;
  http_poll::PollState state_;
  std::optional<Pending> pending_;
  Counter& polls_;
  Counter& poll_errors_;
  Counter& not_modified_;
  Counter& pages_;
  RateLimit warn_;
  RateLimit error_log_;  // a failing feed polled often logs once per 10 s (with the count)
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sluice
