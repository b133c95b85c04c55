#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "channels/memory_channel.hpp"
#include "sources/http_source.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = boost::asio::ip::tcp;
using test::make_context;

struct Fixture {
  Diagnostics diag;
  std::unique_ptr<MemoryChannel> channel;
  std::unique_ptr<HttpSource> source;

  explicit Fixture(std::map<std::string, std::string> kv, std::map<std::string, std::string> ch = {}) {
    ch["keep-alive"] = "0";
    auto cctx = make_context(ch, &diag);
    channel = std::make_unique<MemoryChannel>("c1", cctx);
    kv["bind"] = "127.0.0.1";
    kv["port"] = "0";
    auto ctx = make_context(kv, &diag, "source r1 (type http)", "a1.sources.r1.");
    source = std::make_unique<HttpSource>("r1", ctx);
    auto sel = make_channel_selector(make_context({}), {channel.get()}, [&](const std::string&) { return channel.get(); });
    source->set_channel_processor(
        std::make_shared<ChannelProcessor>("r1", std::move(sel), std::vector<std::unique_ptr<Interceptor>>{}));
    if (!diag.has_errors()) source->start();
  }
  ~Fixture() { source->stop(); }

  std::pair<int, std::string> post(const std::string& target, const std::string& body,
                                   const std::string& content_type = "application/json") {
    boost::asio::io_context io;
    beast::tcp_stream s(io);
    s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(source->port())));
    bhttp::request<bhttp::string_body> req(bhttp::verb::post, target, 11);
    req.set(bhttp::field::host, "localhost");
    req.set(bhttp::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(s, req);
    beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s, buf, res);
    return {res.result_int(), res.body()};
  }

  std::vector<Event> drain() {
    auto tx = channel->begin();
    tx->take(1000, false);
    std::vector<Event> out(tx->taken().begin(), tx->taken().end());
    tx->commit();
    return out;
  }
};

TEST(HttpSource, JsonEventsAreCommittedThen200) {
  Fixture f({});
  ASSERT_FALSE(f.diag.has_errors()) << f.diag.format();
  auto [code, body] =
      f.post("/", R"([{"headers":{"host":"web1","a":"b"},"body":"first"},{"body":"second \u00e9"},{"headers":{}}])");
  EXPECT_EQ(code, 200) << body;
  auto ev = f.drain();
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].body, "first");
  EXPECT_EQ(ev[0].headers.get("host"), "web1");
  EXPECT_EQ(ev[1].body, "second \xc3\xa9");
  EXPECT_EQ(ev[2].body, "");
}

TEST(HttpSource, MalformedJsonIs400WithReasonAndNothingAccepted) {
  Fixture f({});
  auto [code, body] = f.post("/", R"([{"body": "ok"}, {"body": 5}])");
  EXPECT_EQ(code, 400);
  EXPECT_NE(body.find("element 1: body is not a string"), std::string::npos) << body;
  auto [code2, body2] = f.post("/", "{not json");
  EXPECT_EQ(code2, 400);
  EXPECT_NE(body2.find("invalid JSON"), std::string::npos) << body2;
  auto [code3, body3] = f.post("/", R"({"body":"x"})");
  EXPECT_EQ(code3, 400);
  EXPECT_TRUE(f.drain().empty());
}

TEST(HttpSource, DeeplyNestedJsonIs400AndTheServerStaysUp) {
  Fixture f({});
  std::string deep = "[{\"headers\":{},\"body\":\"x\",\"extra\":" + std::string(100000, '[') + std::string(100000, ']') + "}]";
  auto [code, body] = f.post("/", deep);
  EXPECT_EQ(code, 400);
  EXPECT_NE(body.find("invalid JSON"), std::string::npos) << body.substr(0, 200);
  EXPECT_TRUE(f.drain().empty());
  EXPECT_EQ(f.post("/", R"([{"body":"after"}])").first, 200);  // still serving
  EXPECT_EQ(f.drain().size(), 1u);
}

TEST(HttpSource, FullChannelIs503AndClientCanRetry) {
  Fixture f(std::map<std::string, std::string>{}, {{"capacity", "2"}, {"transactionCapacity", "2"}});
  EXPECT_EQ(f.post("/", R"([{"body":"1"},{"body":"2"}])").first, 200);
  EXPECT_EQ(f.post("/", R"([{"body":"3"}])").first, 503);
  EXPECT_EQ(f.drain().size(), 2u);
  EXPECT_EQ(f.post("/", R"([{"body":"3"}])").first, 200);  // the retry succeeds once there is room
  EXPECT_EQ(f.drain().size(), 1u);
}

TEST(HttpSource, BlobHandlerParamsAndLimits) {
  Fixture f(std::map<std::string, std::string>{{"handler", "org.apache.flume.source.http.BLOBHandler"},
                                               {"handler.mandatoryParameters", "path"},
                                               {"handler.maxBlobLength", "10"}});
  ASSERT_FALSE(f.diag.has_errors()) << f.diag.format();
  auto [code, body] = f.post("/upload?path=%2Fa%2Fb&x=1+2", "blobdata", "application/octet-stream");
  EXPECT_EQ(code, 200) << body;
  auto ev = f.drain();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].body, "blobdata");
  EXPECT_EQ(ev[0].headers.get("path"), "/a/b");
  EXPECT_EQ(ev[0].headers.get("x"), "1 2");
  EXPECT_EQ(f.post("/upload", "blob").first, 400);                  // mandatory parameter missing
  EXPECT_EQ(f.post("/upload?path=p", "more than ten").first, 400);  // over maxBlobLength
}

TEST(HttpSource, RequestOverLimitIs413) {
  Fixture f(std::map<std::string, std::string>{{"maxRequestBytes", "100"}});
  EXPECT_EQ(f.post("/", "[" + std::string(200, ' ') + "]").first, 413);
}

TEST(HttpSource, ConfigErrors) {
  Diagnostics d;
  auto ctx = make_context({{"handler", "com.example.Custom"}, {"ssl", "true"}}, &d, "source r1 (type http)",
                          "a1.sources.r1.");
  HttpSource s("r1", ctx);
  std::string out = d.format();
  EXPECT_NE(out.find("a1.sources.r1.port: is required"), std::string::npos) << out;
  EXPECT_NE(out.find("'com.example.Custom' is not a handler"), std::string::npos) << out;
  EXPECT_NE(out.find("a1.sources.r1.ssl: TLS needs a certificate"), std::string::npos) << out;
}

}  // namespace
}  // namespace sluice
