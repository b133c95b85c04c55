#include <gtest/gtest.h>

#include <thread>

#include "agent/channel_processor.hpp"
#include "agent/sink_processor.hpp"
#include "channels/memory_channel.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using test::make_context;
using test::RecordingSink;

struct Channels {
  std::map<std::string, std::unique_ptr<MemoryChannel>> by_name;
  Channels(std::initializer_list<std::string> names, std::map<std::string, std::string> kv = {{"keep-alive", "0"}}) {
    for (auto& n : names) {
      auto ctx = make_context(kv);
      by_name[n] = std::make_unique<MemoryChannel>(n, ctx);
    }
  }
  Channel* operator[](const std::string& n) { return by_name.count(n) ? by_name[n].get() : nullptr; }
  std::vector<std::string> drain(const std::string& n) {
    auto tx = by_name[n]->begin();
    tx->take(1000, false);
    std::vector<std::string> out;
    for (auto& e : tx->taken()) out.push_back(e.body);
    tx->commit();
    return out;
  }
};

Event ev(std::string body, std::string state = "") {
  Event e(std::move(body));
  if (!state.empty()) e.headers.set("state", state);
  return e;
}

std::shared_ptr<ChannelProcessor> processor(Channels& ch, std::vector<std::string> source_channels,
                                            std::map<std::string, std::string> selector_kv, Diagnostics& d) {
  std::vector<Channel*> sc;
  for (auto& n : source_channels) sc.push_back(ch[n]);
  auto ctx = make_context(selector_kv, &d);
  auto sel = make_channel_selector(ctx, sc, [&](const std::string& n) { return ch[n]; });
  if (!sel) return nullptr;
  return std::make_shared<ChannelProcessor>("r1", std::move(sel), std::vector<std::unique_ptr<Interceptor>>{});
}

TEST(ReplicatingSelector, CopiesToEveryChannel) {
  Channels ch{"c1", "c2"};
  Diagnostics d;
  auto p = processor(ch, {"c1", "c2"}, {}, d);
  p->process(Batch{ev("a"), ev("b")});
  EXPECT_EQ(ch.drain("c1"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ch.drain("c2"), (std::vector<std::string>{"a", "b"}));
}

TEST(ReplicatingSelector, OptionalChannelFailureIsIgnoredRequiredIsNot) {
  Channels ch{"c1", "c2"};
  auto tiny = make_context({{"capacity", "1"}, {"transactionCapacity", "1"}, {"keep-alive", "0"}});
  ch.by_name["c2"] = std::make_unique<MemoryChannel>("c2", tiny);
  Diagnostics d;
  auto p = processor(ch, {"c1", "c2"}, {{"optional", "c2"}}, d);
  ASSERT_TRUE(p) << d.format();
  p->process(Batch{ev("a"), ev("b")});  // c2 cannot take 2 events: ignored, it is optional
  EXPECT_EQ(ch.drain("c1"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ch["c2"]->size(), 0u);

  Diagnostics d2;
  auto strict = processor(ch, {"c1", "c2"}, {}, d2);
  EXPECT_THROW(strict->process(Batch{ev("a"), ev("b")}), ChannelException);
}

// Adds a header to every event it sees (and counts them), to tell intercepted events from originals.
class TaggingInterceptor : public Interceptor {
 public:
  TaggingInterceptor() : Interceptor("tag") {}
  void intercept(Batch& batch) override {
    for (auto& e : batch) e.headers.set("tagged", std::to_string(++seen));
  }
  int seen = 0;
};

TEST(ChannelProcessor, ProcessKeepingHandsARefusedBatchBackUnchanged) {
  // Capacity 3: the first batch of 2 fits, the second of 2 is refused at commit.
  Channels ch{{"c1"}, {{"capacity", "3"}, {"transactionCapacity", "3"}, {"keep-alive", "0"}}};
  Diagnostics d;
  auto p = processor(ch, {"c1"}, {}, d);
  Batch first{ev("a", "x"), ev("b")};
  p->process_keeping(first);
  EXPECT_TRUE(first.empty());
  Batch second{ev("c", "y"), ev(std::string(100, 'd'))};
  Batch original = second;
  EXPECT_THROW(p->process_keeping(second), ChannelException);
  EXPECT_EQ(second, original);  // every body and header back, in order
  EXPECT_EQ(ch.drain("c1"), (std::vector<std::string>{"a", "b"}));
  p->process_keeping(second);  // room again: the same events go in
  EXPECT_TRUE(second.empty());
  EXPECT_EQ(ch.drain("c1"), (std::vector<std::string>{"c", std::string(100, 'd')}));
}

// Sets two headers, one of which the events already carry, and says it does nothing else.
class HeaderSettingInterceptor : public TaggingInterceptor {
 public:
  void intercept(Batch& batch) override {
    TaggingInterceptor::intercept(batch);
    for (auto& e : batch) e.headers.set("x", "overwritten");
  }
  bool only_sets_headers() const override { return true; }
};

// Source r1's processor: one interceptor, everything to channel c1.
ChannelProcessor processor_for_c1(Channels& ch, std::unique_ptr<Interceptor> interceptor) {
  std::vector<std::unique_ptr<Interceptor>> chain;
  chain.push_back(std::move(interceptor));
  std::vector<Channel*> sc{ch["c1"]};
  Diagnostics d;
  return ChannelProcessor("r1", make_channel_selector(make_context({}, &d), sc, [&](const std::string& n) { return ch[n]; }),
                          std::move(chain));
}

// A chain that only sets headers runs on the batch itself: a refused batch still comes back as
// given (bodies, and headers with the overwritten one restored and the added ones gone), the retry
// is intercepted again, and the accepted events are the source's own (their bodies not copied).
TEST(ChannelProcessor, ProcessKeepingWithHeaderOnlyInterceptorsRetriesTheOriginals) {
  Channels ch{{"c1"}, {{"capacity", "2"}, {"transactionCapacity", "3"}, {"keep-alive", "0"}}};
  auto* tags = new HeaderSettingInterceptor;
  auto p = processor_for_c1(ch, std::unique_ptr<Interceptor>(tags));
  Batch b{ev("a", "x"), ev(std::string(100, 'b')), ev("c")};
  b[0].headers.set("x", "given");
  Batch original = b;
  EXPECT_THROW(p.process_keeping(b), ChannelException);  // 3 events, room for 2
  EXPECT_EQ(b, original);
  EXPECT_EQ(tags->seen, 3);
  b.pop_back();
  original.pop_back();
  const char* body = b[1].body.data();
  p.process_keeping(b);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(tags->seen, 5);
  auto tx = ch["c1"]->begin();
  tx->take(10, false);
  ASSERT_EQ(tx->taken().size(), 2u);
  EXPECT_EQ(tx->taken()[0].headers.get("x"), "overwritten");
  EXPECT_EQ(tx->taken()[0].headers.get("tagged"), "4");
  EXPECT_EQ(tx->taken()[1].body, original[1].body);
  EXPECT_EQ(tx->taken()[1].body.data(), body);  // moved from the source's batch, not a copy
  tx->commit();
}

TEST(ChannelProcessor, ProcessKeepingWithInterceptorsRetriesTheOriginals) {
  Channels ch{{"c1"}, {{"capacity", "1"}, {"transactionCapacity", "2"}, {"keep-alive", "0"}}};
  auto* tags = new TaggingInterceptor;
  auto p = processor_for_c1(ch, std::unique_ptr<Interceptor>(tags));
  Batch b{ev("a"), ev("b")};
  EXPECT_THROW(p.process_keeping(b), ChannelException);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_FALSE(b[0].headers.contains("tagged"));  // not the intercepted copy
  EXPECT_EQ(tags->seen, 2);
  Batch one{ev("c")};
  p.process_keeping(one);
  EXPECT_TRUE(one.empty());
  auto tx = ch["c1"]->begin();
  tx->take(10, false);
  ASSERT_EQ(tx->taken().size(), 1u);
  EXPECT_EQ(tx->taken()[0].headers.get("tagged"), "3");
  tx->commit();
}

TEST(MultiplexingSelector, RoutesByHeaderWithDefaultAndOptional) {
  Channels ch{"ca", "ny", "def", "audit"};
  Diagnostics d;
  auto p = processor(ch, {"ca", "ny", "def", "audit"},
                     {{"type", "multiplexing"},
                      {"header", "state"},
                      {"mapping.CA", "ca"},
                      {"mapping.NY", "ny def"},
                      {"optional.CA", "audit"},
                      {"default", "def"}},
                     d);
  ASSERT_TRUE(p) << d.format();
  p->process(Batch{ev("1", "CA"), ev("2", "NY"), ev("3", "TX"), ev("4")});
  EXPECT_EQ(ch.drain("ca"), (std::vector<std::string>{"1"}));
  EXPECT_EQ(ch.drain("ny"), (std::vector<std::string>{"2"}));
  EXPECT_EQ(ch.drain("def"), (std::vector<std::string>{"2", "3", "4"}));
  EXPECT_EQ(ch.drain("audit"), (std::vector<std::string>{"1"}));
}

TEST(MultiplexingSelector, UnknownChannelIsAConfigError) {
  Channels ch{"c1"};
  Diagnostics d;
  auto p = processor(ch, {"c1"}, {{"type", "multiplexing"}, {"mapping.X", "nope"}}, d);
  EXPECT_NE(d.format().find("channel 'nope' is not defined"), std::string::npos) << d.format();
  Diagnostics d2;
  EXPECT_FALSE(processor(ch, {"c1"}, {{"type", "fancy"}}, d2));
  EXPECT_NE(d2.format().find("expected replicating or multiplexing"), std::string::npos);
}

struct SinkSetup {
  Channels ch{"c1"};
  std::vector<std::unique_ptr<RecordingSink>> sinks;
  std::vector<Sink*> ptrs;
  explicit SinkSetup(int n) {
    for (int i = 0; i < n; ++i) {
      sinks.push_back(std::make_unique<RecordingSink>("k" + std::to_string(i + 1), 2));
      sinks.back()->set_channel(ch["c1"]);
      ptrs.push_back(sinks.back().get());
    }
  }
  void put(int n) {
    auto tx = ch["c1"]->begin();
    for (int i = 0; i < n; ++i) tx->put(Event(std::to_string(i)));
    tx->commit();
  }
};

TEST(FailoverProcessor, HighestPriorityFirstThenFailsOverAndNothingIsLost) {
  SinkSetup s(2);
  Diagnostics d;
  auto p = make_sink_processor(make_context({{"type", "failover"}, {"priority.k1", "5"}, {"priority.k2", "10"}}, &d),
                               s.ptrs);
  ASSERT_TRUE(p) << d.format();
  s.put(4);
  p->process();
  EXPECT_EQ(s.sinks[1]->bodies().size(), 2u);  // k2 has the higher priority
  EXPECT_TRUE(s.sinks[0]->bodies().empty());
  s.sinks[1]->fail = true;
  p->process();  // k2 fails: its batch is rolled back and k1 takes it
  EXPECT_EQ(s.sinks[0]->bodies(), (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(s.ch["c1"]->size(), 0u);
}

TEST(FailoverProcessor, AllFailingThrowsAndKeepsEvents) {
  SinkSetup s(2);
  Diagnostics d;
  auto p = make_sink_processor(make_context({{"type", "failover"}}, &d), s.ptrs);
  s.put(2);
  s.sinks[0]->fail = true;
  s.sinks[1]->fail = true;
  EXPECT_THROW(p->process(), DeliveryException);
  EXPECT_EQ(s.ch["c1"]->size(), 2u);
}

TEST(LoadBalanceProcessor, RoundRobinSpreadsBatches) {
  SinkSetup s(2);
  Diagnostics d;
  auto p = make_sink_processor(make_context({{"type", "load_balance"}, {"selector", "round_robin"}}, &d), s.ptrs);
  ASSERT_TRUE(p) << d.format();
  s.put(8);
  for (int i = 0; i < 4; ++i) p->process();
  EXPECT_EQ(s.sinks[0]->bodies().size(), 4u);
  EXPECT_EQ(s.sinks[1]->bodies().size(), 4u);
}

TEST(LoadBalanceProcessor, BackoffSkipsFailedSink) {
  SinkSetup s(2);
  Diagnostics d;
  auto p = make_sink_processor(make_context({{"type", "load_balance"}, {"backoff", "true"}}, &d), s.ptrs);
  s.put(8);
  s.sinks[0]->fail = true;
  for (int i = 0; i < 4; ++i) p->process();
  EXPECT_EQ(s.sinks[1]->bodies().size(), 8u);
  EXPECT_EQ(s.ch["c1"]->size(), 0u);
}

TEST(SinkProcessor, UnknownTypeAndDefaultWithManySinksAreErrors) {
  SinkSetup s(2);
  Diagnostics d;
  EXPECT_FALSE(make_sink_processor(make_context({{"type", "fastest"}}, &d), s.ptrs));
  EXPECT_FALSE(make_sink_processor(make_context({}, &d), s.ptrs));
  EXPECT_EQ(d.error_count(), 2u);
}

TEST(SinkRunner, DrainsChannelOnStop) {
  SinkSetup s(1);
  s.put(10);
  SinkRunner runner("k1", make_default_processor(s.ptrs[0]));
  runner.start();
  runner.stop(std::chrono::seconds(5));
  EXPECT_EQ(s.sinks[0]->bodies().size(), 10u);
}

// Flume's runner sleeps out its backoff (1 s more per empty poll, up to 5 s); ours ends the wait when
// the channel has events again. After three empty polls the backoff is 3 s: an event put then must
// not wait for it.
TEST(SinkRunner, BackoffEndsWhenTheChannelGetsEvents) {
  SinkSetup s(1);
  SinkRunner runner("k1", make_default_processor(s.ptrs[0]));
  runner.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(3300));  // empty polls at 0, 1 and 3 s
  auto t0 = std::chrono::steady_clock::now();
  s.put(1);
  while (s.sinks[0]->bodies().empty() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto waited = std::chrono::steady_clock::now() - t0;
  runner.stop(std::chrono::seconds(1));
  EXPECT_EQ(s.sinks[0]->bodies().size(), 1u);
  EXPECT_LT(waited, std::chrono::milliseconds(1500)) << "the event waited for the rest of a 3 s backoff";
}

// ...but a failing sink keeps backing off: its events stay in the channel, and retrying them every
// 20 ms would be a busy loop against a dead peer.
TEST(SinkRunner, AFailingSinkStillBacksOff) {
  SinkSetup s(1);
  s.sinks[0]->fail = true;
  s.put(5);
  SinkRunner runner("k1", make_default_processor(s.ptrs[0]));
  runner.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // attempts at 0, 1 s (backoff 1 s, 2 s)
  runner.stop(std::chrono::milliseconds(0));
  EXPECT_LE(s.sinks[0]->attempts.load(), 4) << "retried without backing off";
  EXPECT_GE(s.sinks[0]->attempts.load(), 2);
}

}  // namespace
}  // namespace sluice
