// http_poll against an in-process HTTP server: splitting, conditional requests, pagination, auth,
// state across restarts, a full channel, size cap and the redirect policy.
#include "sources/http_poll_source.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "channels/memory_channel.hpp"
#include "fake_http_server.hpp"
#include "sources/http_poll/poll_state.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using Reply = test::FakeHttpServer::Reply;
using Request = test::FakeHttpServer::Request;
using Outcome = HttpPollSource::Outcome;

struct Poller {
  test::TempDir dir;
  std::unique_ptr<MemoryChannel> ch;
  std::unique_ptr<HttpPollSource> src;
  std::map<std::string, std::string> kv;
  explicit Poller(std::map<std::string, std::string> keys, int capacity = 100000) : kv(std::move(keys)) {
    auto cctx = test::make_context({{"capacity", std::to_string(capacity)},
                                    {"transactionCapacity", std::to_string(std::min(capacity, 100))},
                                    {"keep-alive", "0"}});
    ch = std::make_unique<MemoryChannel>("c1", cctx);
    kv.emplace("stateFile", (dir.p / "state.json").string());
    kv.emplace("timeout", "5");
    restart();
  }
  // A new source instance on the same state file (as after an agent restart).
  void restart() {
    Diagnostics d;
    auto ctx = test::make_context(kv, &d);
    src = std::make_unique<HttpPollSource>("r1", ctx);
    ASSERT_FALSE(d.has_errors()) << d.format();
    src->set_channel_processor(test::processor_to(ch.get()));
  }
  std::vector<std::string> bodies() {
    std::vector<std::string> out;
    for (auto& e : test::drain_events(*ch)) out.push_back(e.body);
    return out;
  }
  int64_t counter(const std::string& name) {
    for (auto& [k, v] : src->metrics()->snapshot())
      if (k == name) return std::stoll(v);
    return -1;
  }
};

using Lines = std::vector<std::string>;

TEST(HttpPollSource, LinesBecomeEventsWithTheUrlHeader) {
  test::FakeHttpServer srv([](const Request&) { return Reply{200, {}, "one\r\ntwo\n\nthree\n"}; });
  Poller p({{"url", srv.endpoint() + "/feed.txt"}});
  EXPECT_EQ(p.src->poll_once(), Outcome::Delivered);
  auto events = test::drain_events(*p.ch);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].body, "three");
  EXPECT_EQ(events[0].headers.get("url"), srv.endpoint() + "/feed.txt");
  EXPECT_EQ(p.counter("PollCount"), 1);
  EXPECT_EQ(p.counter("EventAcceptedCount"), 3);
}

TEST(HttpPollSource, JsonArrayAndJsonLinesFormats) {
  test::FakeHttpServer arr([](const Request&) { return Reply{200, {}, R"([{"ip":"1.1.1.1"}, "2.2.2.2"])"}; });
  Poller a({{"url", arr.endpoint()}, {"format", "json_array"}});
  a.src->poll_once();
  EXPECT_EQ(a.bodies(), (Lines{R"({"ip":"1.1.1.1"})", "2.2.2.2"}));
  test::FakeHttpServer jl([](const Request&) { return Reply{200, {}, "{\"a\":1}\nbroken\n{\"b\":2}\n"}; });
  Poller l({{"url", jl.endpoint()}, {"format", "json_lines"}});
  l.src->poll_once();
  EXPECT_EQ(l.bodies(), (Lines{"{\"a\":1}", "{\"b\":2}"}));
  test::FakeHttpServer bad([](const Request&) { return Reply{200, {}, "{\"not\":\"array\"}"}; });
  Poller b({{"url", bad.endpoint()}, {"format", "json_array"}});
  EXPECT_EQ(b.src->poll_once(), Outcome::Failed);
  EXPECT_TRUE(b.bodies().empty());
}

// Serves "v1" with an ETag; answers 304 when If-None-Match matches.
Reply etag_feed(const Request& r) {
  auto it = r.headers.find("if-none-match");
  if (it != r.headers.end() && it->second == "\"v1\"") return Reply{304, {{"ETag", "\"v1\""}}, ""};
  return Reply{200, {{"ETag", "\"v1\""}}, "ioc-a\nioc-b\n"};
}

TEST(HttpPollSource, EtagThen304EmitsNothingAgainAcrossARestart) {
  test::FakeHttpServer srv(etag_feed);
  Poller p({{"url", srv.endpoint() + "/ioc"}, {"resumeLines", "false"}});
  EXPECT_EQ(p.src->poll_once(), Outcome::Delivered);
  EXPECT_EQ(p.src->poll_once(), Outcome::NotModified);
  EXPECT_EQ(p.counter("NotModifiedCount"), 1);
  p.restart();  // a new instance reads the ETag from the state file
  EXPECT_EQ(p.src->poll_once(), Outcome::NotModified);
  EXPECT_EQ(p.bodies(), (Lines{"ioc-a", "ioc-b"}));
  auto reqs = srv.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].headers.count("if-none-match"), 0u);
  EXPECT_EQ(reqs[2].headers.at("if-none-match"), "\"v1\"");
}

TEST(HttpPollSource, AppendOnlyLinesFeedEmitsOnlyNewLinesAcrossARestart) {
  std::mutex mu;
  std::string file = "l1\nl2\n";
  test::FakeHttpServer srv([&](const Request&) {
    std::lock_guard l(mu);
    // Last-Modified in the same second as Date: must not be sent back as If-Modified-Since.
    return Reply{
        200, {{"Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"}, {"Date", "Wed, 21 Oct 2015 07:28:00 GMT"}}, file};
  });
  Poller p({{"url", srv.endpoint() + "/feed.log"}});
  p.src->poll_once();
  p.src->poll_once();  // the same file again: nothing new
  {
    std::lock_guard l(mu);
    file += "l3\npart";
  }
  p.src->poll_once();
  p.restart();
  {
    std::lock_guard l(mu);
    file += "ial\nl5\n";
  }
  p.src->poll_once();
  EXPECT_EQ(p.bodies(), (Lines{"l1", "l2", "l3", "partial", "l5"}));
  for (auto& r : srv.requests()) EXPECT_EQ(r.headers.count("if-modified-since"), 0u);
  {
    std::lock_guard l(mu);
    file = "rotated\n";
  }
  p.src->poll_once();
  EXPECT_EQ(p.bodies(), (Lines{"rotated"}));
}

TEST(HttpPollSource, FollowsLinkNextPagesUpToTheCapThenResumes) {
  test::FakeHttpServer srv([](const Request& r) {
    if (r.target == "/items") return Reply{200, {{"Link", "</items?page=2>; rel=\"next\""}}, "a\n"};
    if (r.target == "/items?page=2")
      return Reply{200, {{"Link", "<?page=3>; rel=\"next\", </items>; rel=\"first\""}}, "b\n"};
    if (r.target == "/items?page=3") return Reply{200, {}, "c\n"};
    return Reply{404, {}, "no such page"};
  });
  Poller p({{"url", srv.endpoint() + "/items"}, {"maxPagesPerPoll", "2"}, {"resumeLines", "false"}});
  EXPECT_EQ(p.src->poll_once(), Outcome::Delivered);
  EXPECT_EQ(p.bodies(), (Lines{"a", "b"}));
  EXPECT_EQ(http_poll::load_poll_state(p.kv["stateFile"]).resume_url, srv.endpoint() + "/items?page=3");
  p.restart();
  EXPECT_EQ(p.src->poll_once(), Outcome::Delivered);  // continues with page 3, not page 1
  EXPECT_EQ(p.bodies(), (Lines{"c"}));
  EXPECT_EQ(srv.requests().size(), 3u);
  EXPECT_EQ(p.counter("PageCount"), 1);
}

TEST(HttpPollSource, NextLinkToAnotherHostIsNotFollowedAndAFailingPageIsDropped) {
  test::FakeHttpServer other([](const Request&) { return Reply{200, {}, "stolen\n"}; });
  std::string elsewhere = other.endpoint() + "/p2";
  std::atomic<bool> expired{false};
  test::FakeHttpServer srv([&](const Request& r) {
    if (r.target == "/a") return Reply{200, {{"Link", "<" + elsewhere + ">; rel=next"}}, "a1\n"};
    if (r.target == "/b") return Reply{200, {{"Link", "</b?page=2>; rel=next"}}, "b1\n"};
    if (expired) return Reply{400, {}, "page token expired"};
    return Reply{200, {}, "b2\n"};
  });
  test::TempDir d;
  std::ofstream(d.p / "token") << "secret";
  Poller a({{"url", srv.endpoint() + "/a"}, {"auth.tokenFile", (d.p / "token").string()}});
  EXPECT_EQ(a.src->poll_once(), Outcome::Delivered);
  EXPECT_EQ(a.bodies(), (Lines{"a1"}));
  EXPECT_TRUE(other.requests().empty());  // neither the page nor the token went there
  EXPECT_EQ(http_poll::load_poll_state(a.kv["stateFile"]).resume_url, "");

  Poller b({{"url", srv.endpoint() + "/b"}, {"maxPagesPerPoll", "1"}, {"resumeLines", "false"}});
  b.src->poll_once();
  expired = true;
  EXPECT_EQ(b.src->poll_once(), Outcome::Failed);  // the saved page answers 400
  EXPECT_EQ(http_poll::load_poll_state(b.kv["stateFile"]).resume_url, "");
  b.src->poll_once();  // starts again from url
  EXPECT_EQ(b.bodies(), (Lines{"b1", "b1"}));
  EXPECT_EQ(srv.requests().back().target, "/b");
}

TEST(HttpPollSource, RunningSourcePollsOnTheIntervalAndBacksOffOnErrors) {
  std::atomic<int> ok_hits{0}, busy_hits{0};
  test::FakeHttpServer ok([&](const Request&) {
    ++ok_hits;
    return Reply{200, {}, "x\n"};
  });
  test::FakeHttpServer busy([&](const Request&) {
    ++busy_hits;
    return Reply{503, {}, "busy"};
  });
  Poller good({{"url", ok.endpoint()}, {"interval", "0.05"}});
  Poller bad({{"url", busy.endpoint()}, {"interval", "0.05"}, {"maxBackoff", "10"}});
  good.src->start();
  bad.src->start();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  good.src->stop();
  bad.src->stop();
  EXPECT_GE(ok_hits.load(), 5);    // every 50 ms: ~30 polls
  EXPECT_LE(busy_hits.load(), 3);  // 0 s, +1 s, (+2 s): backoff, not the interval
  EXPECT_GE(busy_hits.load(), 1);
  EXPECT_EQ(good.bodies(), (Lines{"x"}));  // the same line is not emitted again
}

TEST(HttpPollSource, SendsBearerFromFileOrEnvAndExtraHeaders) {
  test::FakeHttpServer srv([](const Request&) { return Reply{200, {}, "x\n"}; });
  test::TempDir d;
  std::ofstream(d.p / "token") << "tok-from-file\n";
  Poller f({{"url", srv.endpoint()}, {"auth.tokenFile", (d.p / "token").string()}, {"headers.X-Api-Key", "k1"}});
  f.src->poll_once();
  ::setenv("SLUICE_HTTP_POLL_TEST_TOKEN", "tok-from-env", 1);
  Poller e({{"url", srv.endpoint()}, {"auth.tokenEnv", "SLUICE_HTTP_POLL_TEST_TOKEN"}});
  e.src->poll_once();
  ::unsetenv("SLUICE_HTTP_POLL_TEST_TOKEN");
  EXPECT_EQ(e.src->poll_once(), Outcome::Failed);  // the variable is gone: no request without auth
  auto reqs = srv.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].headers.at("authorization"), "Bearer tok-from-file");
  EXPECT_EQ(reqs[0].headers.at("x-api-key"), "k1");
  EXPECT_EQ(reqs[1].headers.at("authorization"), "Bearer tok-from-env");
  for (auto& [k, v] : e.src->metrics()->snapshot()) EXPECT_EQ(v.find("tok-from"), std::string::npos) << k;
}

TEST(HttpPollSource, PostSendsTheRequestBody) {
  test::FakeHttpServer srv([](const Request& r) {
    return r.method == "POST" ? Reply{200, {}, "[\"" + r.body + "\"]"} : Reply{405, {}, ""};
  });
  Poller p({{"url", srv.endpoint() + "/search"},
            {"method", "POST"},
            {"requestBody", "q=new"},
            {"headers.Content-Type", "application/x-www-form-urlencoded"},
            {"format", "json_array"}});
  EXPECT_EQ(p.src->poll_once(), Outcome::Delivered);
  EXPECT_EQ(p.bodies(), (Lines{"q=new"}));
  EXPECT_EQ(srv.requests()[0].headers.at("content-type"), "application/x-www-form-urlencoded");
}

TEST(HttpPollSource, TheSecretNeverAppearsInTheLog) {
  test::FakeHttpServer srv([](const Request& r) {
    if (r.target == "/denied") return Reply{401, {}, "bad credentials"};
    return Reply{302, {{"Location", "http://127.0.0.2:1/x"}}, ""};
  });
  test::TempDir d;
  std::ofstream(d.p / "token") << "TOP-SECRET-42";
  LogLevel saved = Log::level();
  Log::set_level(LogLevel::Trace);
  testing::internal::CaptureStderr();
  for (std::string path : {"/denied", "/redirect"}) {
    Poller p(
        {{"url", srv.endpoint() + path}, {"followRedirects", "true"}, {"auth.tokenFile", (d.p / "token").string()}});
    EXPECT_EQ(p.src->poll_once(), Outcome::Failed);
    for (auto& [k, v] : p.src->metrics()->snapshot()) EXPECT_EQ(v.find("TOP-SECRET"), std::string::npos) << k;
  }
  std::string log = testing::internal::GetCapturedStderr();
  Log::set_level(saved);
  EXPECT_NE(log.find("answered 401"), std::string::npos) << log;  // the failure is logged...
  EXPECT_EQ(log.find("TOP-SECRET"), std::string::npos) << log;    // ...without the token
}

TEST(HttpPollSource, FullChannelKeepsTheEventsAndRetriesThemWithoutRefetching) {
  std::string body;
  for (int i = 0; i < 12; ++i) body += "e" + std::to_string(i) + "\n";
  test::FakeHttpServer srv([&](const Request&) { return Reply{200, {{"ETag", "\"v\""}}, body}; });
  Poller p({{"url", srv.endpoint()}, {"batchSize", "5"}}, /*capacity=*/5);
  EXPECT_EQ(p.src->poll_once(), Outcome::ChannelFull);
  // Nothing is saved before every event of the response is committed.
  EXPECT_FALSE(std::filesystem::exists(p.kv["stateFile"]));
  Lines got;
  for (int i = 0; i < 10 && got.size() < 12; ++i) {
    for (auto& b : p.bodies()) got.push_back(b);
    p.src->poll_once();
  }
  for (auto& b : p.bodies()) got.push_back(b);
  ASSERT_EQ(got.size(), 12u);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(got[i], "e" + std::to_string(i));
  EXPECT_GE(p.counter("ChannelWriteFail"), 1);
  EXPECT_EQ(http_poll::load_poll_state(p.kv["stateFile"]).etag, "\"v\"");
  // The first response was fetched once; later polls are conditional.
  auto reqs = srv.requests();
  ASSERT_GE(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].headers.count("if-none-match"), 0u);
  for (size_t i = 1; i < reqs.size(); ++i) EXPECT_EQ(reqs[i].headers.at("if-none-match"), "\"v\"");
}

TEST(HttpPollSource, OversizedResponseIsRejected) {
  test::FakeHttpServer srv([](const Request&) { return Reply{200, {}, std::string(5000, 'x') + "\n"}; });
  Poller p({{"url", srv.endpoint()}, {"maxResponseBytes", "1000"}});
  EXPECT_EQ(p.src->poll_once(), Outcome::Failed);
  EXPECT_TRUE(p.bodies().empty());
  EXPECT_EQ(p.counter("PollErrorCount"), 1);
}

TEST(HttpPollSource, RedirectToAnotherHostIsRefusedByDefault) {
  test::FakeHttpServer other([](const Request&) { return Reply{200, {}, "elsewhere\n"}; });
  std::string target = other.endpoint() + "/x";
  test::FakeHttpServer srv([&](const Request& r) {
    if (r.target == "/moved") return Reply{302, {{"Location", "/feed"}}, ""};
    if (r.target == "/feed") return Reply{200, {}, "here\n"};
    return Reply{302, {{"Location", target}}, ""};
  });
  test::TempDir d;
  std::ofstream(d.p / "token") << "secret";
  Poller off({{"url", srv.endpoint() + "/away"}});
  EXPECT_EQ(off.src->poll_once(), Outcome::Failed);  // followRedirects = false
  Poller same({{"url", srv.endpoint() + "/moved"}, {"followRedirects", "true"}});
  EXPECT_EQ(same.src->poll_once(), Outcome::Delivered);
  EXPECT_EQ(same.bodies(), (Lines{"here"}));
  Poller cross({{"url", srv.endpoint() + "/away"}, {"followRedirects", "true"}});
  EXPECT_EQ(cross.src->poll_once(), Outcome::Failed);
  EXPECT_TRUE(other.requests().empty());
  Poller allowed({{"url", srv.endpoint() + "/away"},
                  {"followRedirects", "true"},
                  {"allowCrossHostRedirects", "true"},
                  {"auth.tokenFile", (d.p / "token").string()}});
  EXPECT_EQ(allowed.src->poll_once(), Outcome::Delivered);
  EXPECT_EQ(allowed.bodies(), (Lines{"elsewhere"}));
  ASSERT_EQ(other.requests().size(), 1u);
  EXPECT_EQ(other.requests()[0].headers.count("authorization"), 0u);  // never to another host
}

TEST(HttpPollSource, ServerErrorsAndRefusedConnectionsBackOffClientErrorsDoNot) {
  test::FakeHttpServer srv([](const Request& r) {
    return r.target == "/gone" ? Reply{404, {}, "not found"} : Reply{503, {}, "busy"};
  });
  Poller busy({{"url", srv.endpoint() + "/x"}});
  EXPECT_EQ(busy.src->poll_once(), Outcome::Backoff);
  Poller gone({{"url", srv.endpoint() + "/gone"}});
  EXPECT_EQ(gone.src->poll_once(), Outcome::Failed);
  int port;
  {
    test::FakeHttpServer closed([](const Request&) { return Reply{}; });
    port = closed.port();
  }
  Poller refused({{"url", "http://127.0.0.1:" + std::to_string(port) + "/"}});
  EXPECT_EQ(refused.src->poll_once(), Outcome::Backoff);
  EXPECT_EQ(refused.counter("PollErrorCount"), 1);
}

// A server that answers with headers and then trickles a body that never ends: the exchange is cut at
// `timeout` (a deadline for the whole response, not per read), nothing is emitted, memory stays bounded.
TEST(HttpPollSource, NeverEndingResponseIsCutAtTheTimeout) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acc(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  int port = acc.local_endpoint().port();
  std::atomic<bool> stop{false};
  std::thread server([&] {
    boost::system::error_code ec;
    auto s = acc.accept(ec);
    if (ec) return;
    // Chunked, so no length tells the client in advance that it is too long.
    std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nline\n\r\n";
    boost::asio::write(s, boost::asio::buffer(head), ec);
    while (!stop && !ec) {  // one byte every 50 ms, forever
      boost::asio::write(s, boost::asio::buffer("1\r\nx\r\n", 6), ec);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  Poller p({{"url", "http://127.0.0.1:" + std::to_string(port) + "/slow"}});
  p.kv["timeout"] = "1";
  p.restart();
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(p.src->poll_once(), Outcome::Backoff);
  auto took = std::chrono::steady_clock::now() - t0;
  stop = true;
  server.join();
  EXPECT_LT(took, std::chrono::seconds(10));  // cut by the 1 s deadline, not by the server
  EXPECT_TRUE(p.bodies().empty());
  EXPECT_EQ(p.counter("PollErrorCount"), 1);
}

TEST(HttpPollSource, ConfigErrorsAreReported) {
  for (auto kv : std::vector<std::map<std::string, std::string>>{
           {},
           {{"url", "ftp://h/x"}},
           {{"url", "http://h/"}, {"format", "xml"}},
           {{"url", "http://h/"}, {"auth.tokenFile", "/t"}, {"auth.user", "u"}}}) {
    Diagnostics d;
    auto ctx = test::make_context(kv, &d);
    HttpPollSource s("r1", ctx);
    EXPECT_TRUE(d.has_errors());
  }
}

}  // namespace
}  // namespace sluice
