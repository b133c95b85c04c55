// Built-in sources, sinks and interceptors driven through the interfaces.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "channels/memory_channel.hpp"
#include "interceptors/host_interceptor.hpp"
#include "interceptors/regex_extractor_interceptor.hpp"
#include "interceptors/regex_filter_interceptor.hpp"
#include "interceptors/static_interceptor.hpp"
#include "interceptors/timestamp_interceptor.hpp"
#include "interceptors/uuid_interceptor.hpp"
#include "sinks/file_roll_sink.hpp"
#include "sinks/logger_sink.hpp"
#include "sources/seq_source.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using test::make_context;

using test::TempDir;

std::unique_ptr<MemoryChannel> mem(std::map<std::string, std::string> kv = {}) {
  kv.emplace("keep-alive", "0");
  auto ctx = make_context(kv);
  return std::make_unique<MemoryChannel>("c1", ctx);
}

void fill(Channel& ch, std::vector<Event> events) {
  auto tx = ch.begin();
  for (auto& e : events) tx->put(std::move(e));
  tx->commit();
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(SeqSource, GeneratesTotalEventsInOrderWithBackpressure) {
  auto ch = mem({{"capacity", "50"}, {"transactionCapacity", "10"}});
  auto ctx = make_context({{"totalEvents", "120"}, {"batchSize", "10"}, {"maxBackoffSleep", "10"}});
  SeqSource src("r1", ctx);
  auto sel = make_channel_selector(make_context({}), {ch.get()}, [&](const std::string&) { return ch.get(); });
  src.set_channel_processor(std::make_shared<ChannelProcessor>("r1", std::move(sel), std::vector<std::unique_ptr<Interceptor>>{}));
  src.start();
  std::vector<std::string> got;
  for (int i = 0; i < 500 && got.size() < 120; ++i) {
    auto tx = ch->begin();
    tx->take(7, false);
    for (auto& e : tx->taken()) got.push_back(e.body);
    tx->commit();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  src.stop();
  ASSERT_EQ(got.size(), 120u);  // the channel was full at times: nothing skipped, nothing repeated
  for (int i = 0; i < 120; ++i) EXPECT_EQ(got[i], std::to_string(i));
}

TEST(SeqSource, BodySizeZeroPadsTheCounter) {
  auto ch = mem();
  auto ctx = make_context({{"totalEvents", "12"}, {"batchSize", "12"}, {"bodySize", "5"}});
  SeqSource src("r1", ctx);
  auto sel = make_channel_selector(make_context({}), {ch.get()}, [&](const std::string&) { return ch.get(); });
  src.set_channel_processor(std::make_shared<ChannelProcessor>("r1", std::move(sel), std::vector<std::unique_ptr<Interceptor>>{}));
  src.start();
  for (int i = 0; i < 200 && ch->size() < 12; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  src.stop();
  auto tx = ch->begin();
  ASSERT_EQ(tx->take(12, false), 12u);
  EXPECT_EQ(tx->taken()[0].body, "00000");
  EXPECT_EQ(tx->taken()[11].body, "00011");
  tx->commit();
}

TEST(FileRollSink, DefaultNamesTextSerializerAndFsyncedBatches) {
  TempDir dir;
  auto ch = mem();
  auto ctx = make_context({{"sink.directory", dir.p.string()}, {"sink.rollInterval", "0"},
                           {"sink.pathManager.prefix", "log-"}, {"sink.pathManager.extension", "txt"}});
  FileRollSink sink("k1", ctx);
  sink.set_channel(ch.get());
  sink.start();
  fill(*ch, {Event("a"), Event("b")});
  EXPECT_EQ(sink.process(), Sink::Status::Ready);
  auto name = fs::path(sink.current_path()).filename().string();
  EXPECT_TRUE(name.starts_with("log-")) << name;
  EXPECT_TRUE(name.ends_with("-1.txt")) << name;
  EXPECT_EQ(slurp(sink.current_path()), "a\nb\n");
  sink.stop();
}

TEST(FileRollSink, HeaderAndTextAndRollInterval) {
  TempDir dir;
  auto ch = mem();
  auto ctx = make_context({{"sink.directory", dir.p.string()}, {"sink.rollInterval", "1"},
                           {"sink.serializer", "header_and_text"}});
  FileRollSink sink("k1", ctx);
  sink.set_channel(ch.get());
  sink.start();
  Event e("body");
  e.headers.set("host", "h1");
  e.headers.set("k", "v");
  fill(*ch, {e});
  sink.process();
  std::string first = sink.current_path();
  EXPECT_EQ(slurp(first), "{host=h1, k=v} body\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  fill(*ch, {Event("later")});
  sink.process();
  EXPECT_NE(sink.current_path(), first);
  EXPECT_TRUE(sink.current_path().ends_with("-2"));
  sink.stop();
}

TEST(FileRollSink, UnwritableDirectoryRollsBackAndKeepsEvents) {
  auto ch = mem();
  auto ctx = make_context({{"sink.directory", "/dev/null/cannot"}});
  FileRollSink sink("k1", ctx);
  sink.set_channel(ch.get());
  sink.start();
  fill(*ch, {Event("x"), Event("y")});
  EXPECT_THROW(sink.process(), DeliveryException);
  EXPECT_EQ(ch->size(), 2u);
}

TEST(FileRollSink, MissingDirectoryIsAConfigError) {
  Diagnostics d;
  auto ctx = make_context({}, &d, "sink k1 (type file_roll)", "a1.sinks.k1.");
  FileRollSink sink("k1", ctx);
  EXPECT_NE(d.format().find("a1.sinks.k1.sink.directory: is required"), std::string::npos) << d.format();
}

TEST(LoggerSink, DumpsLikeFlume) {
  Event e("Hello, world and more");
  e.headers.set("a", "b");
  EXPECT_EQ(LoggerSink::dump(e, 5), "Event: { headers:{a=b} body: 48 65 6C 6C 6F  Hello }");
  EXPECT_EQ(LoggerSink::dump(Event(std::string("\x01z", 2)), 16), "Event: { headers:{} body: 01 7A  .z }");
}

template <typename T>
Batch run(std::map<std::string, std::string> kv, Batch in, Diagnostics* d = nullptr) {
  auto ctx = make_context(kv, d);
  T i("i1", ctx);
  i.intercept(in);
  return in;
}

TEST(Interceptors, TimestampHostStatic) {
  Event pre("x");
  pre.headers.set("timestamp", "1");
  auto out = run<TimestampInterceptor>({{"preserveExisting", "true"}}, {pre, Event("y")});
  EXPECT_EQ(out[0].headers.get("timestamp"), "1");
  EXPECT_GT(std::stoll(out[1].headers.get("timestamp")), 1700000000000LL);
  out = run<HostInterceptor>({{"hostHeader", "agent"}}, {Event("x")});
  EXPECT_FALSE(out[0].headers.get("agent").empty());
  Event s("x");
  s.headers.set("dc", "old");
  out = run<StaticInterceptor>({{"key", "dc"}, {"value", "eu1"}}, {s, Event("y")});
  EXPECT_EQ(out[0].headers.get("dc"), "old");  // preserveExisting defaults to true
  EXPECT_EQ(out[1].headers.get("dc"), "eu1");
}

TEST(Interceptors, UuidIsVersion4AndUnique) {
  auto out = run<UuidInterceptor>({{"prefix", "p-"}}, {Event("a"), Event("b")});
  std::string a = out[0].headers.get("id"), b = out[1].headers.get("id");
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 38u);
  EXPECT_EQ(a.substr(0, 2), "p-");
  EXPECT_EQ(a[16], '4');
}

TEST(Interceptors, RegexFilterKeepsOrExcludes) {
  Batch in{Event("GET /index"), Event("POST /login"), Event("GET /img")};
  auto kept = run<RegexFilterInterceptor>({{"regex", "^GET"}}, in);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[1].body, "GET /img");
  auto excluded = run<RegexFilterInterceptor>({{"regex", "login"}, {"excludeEvents", "true"}}, in);
  ASSERT_EQ(excluded.size(), 2u);
  EXPECT_EQ(excluded[0].body, "GET /index");
  Diagnostics d;
  run<RegexFilterInterceptor>({{"regex", "(a)\\1"}}, {}, &d);
  EXPECT_NE(d.format().find("is not a valid regular expression"), std::string::npos) << d.format();
}

TEST(Interceptors, RegexExtractorGroupsAndMillis) {
  auto out = run<RegexExtractorInterceptor>(
      {{"regex", "^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}Z) (\\w+)"},
       {"serializers", "ts lvl"},
       {"serializers.ts.name", "timestamp"},
       {"serializers.ts.type", "org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer"},
       {"serializers.ts.pattern", "yyyy-MM-dd HH:mm:ssZ"},
       {"serializers.lvl.name", "level"}},
      {Event("2023-11-14 22:13:20Z WARN disk"), Event("no match here")});
  EXPECT_EQ(out[0].headers.get("timestamp"), "1700000000000");
  EXPECT_EQ(out[0].headers.get("level"), "WARN");
  EXPECT_TRUE(out[1].headers.empty());
  Diagnostics d;
  run<RegexExtractorInterceptor>({{"regex", "(a)"}, {"serializers", "s1 s2"}, {"serializers.s1.name", "x"},
                                  {"serializers.s2.name", "y"}},
                                 {}, &d);
  EXPECT_NE(d.format().find("2 serializers but the regex has only 1 capture groups"), std::string::npos);
}

}  // namespace
}  // namespace sluice
