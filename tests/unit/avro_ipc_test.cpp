// Avro IPC framing and messages (Avro spec "Protocol Wire Format"), and the avro source/sink pair.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "agent/avro/ipc.hpp"
#include "agent/avro/rpc_client.hpp"
#include "channels/memory_channel.hpp"
#include "sinks/avro_sink.hpp"
#include "sources/avro_source.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using namespace avro;
using test::make_context;

TEST(AvroIpc, FrameRoundTripAndMultiBufferRequests) {
  std::string f = encode_frame(7, "hello");
  EXPECT_EQ(f, std::string("\0\0\0\x07\0\0\0\x01\0\0\0\x05hello", 17));
  std::string in_place(kFrameHeader, 'x');
  in_place += "hello";
  set_frame_header(in_place, 7);
  EXPECT_EQ(in_place, f);
  // A frame of three buffers (Java splits requests into 8 KiB buffers), fed byte by byte.
  std::string multi = std::string("\0\0\0\x09\0\0\0\x03", 8) + std::string("\0\0\0\x02", 4) + "ab" +
                      std::string("\0\0\0\x00", 4) + std::string("\0\0\0\x01", 4) + "c";
  FrameReader r(1024);
  size_t used = 0;
  for (size_t i = 0; i < multi.size(); ++i) {
    bool done = r.feed(std::string_view(multi).substr(i, 1), used);
    EXPECT_EQ(done, i + 1 == multi.size());
  }
  auto [serial, payload] = r.take();
  EXPECT_EQ(serial, 9);
  EXPECT_EQ(payload, "abc");
}

TEST(AvroIpc, AbsurdFramesAreRejectedBeforeAllocating) {
  FrameReader r(1 << 20, 100);
  size_t used = 0;
  EXPECT_THROW(r.feed(std::string("\0\0\0\x01\x7f\xff\xff\xff", 8), used), FrameError);  // 2^31-1 buffers
  FrameReader r2(1 << 20);
  EXPECT_THROW(r2.feed(std::string("\0\0\0\x01\0\0\0\x01\x7f\0\0\0", 12), used), FrameError);  // 2 GB buffer
  FrameReader r3(1 << 20);
  EXPECT_THROW(r3.feed(std::string("\0\0\0\x01\0\0\0\x01\xff\xff\xff\xff", 12), used), FrameError);  // negative
}

TEST(AvroIpc, ProtocolHashAndHandshakes) {
  EXPECT_EQ(flume_protocol_md5().size(), 16u);
  EXPECT_TRUE(is_flume_protocol(flume_protocol_json()));
  EXPECT_FALSE(is_flume_protocol(R"({"protocol":"Other","messages":{}})"));
  std::string buf;
  Encoder enc(buf);
  write_handshake_request(enc, {flume_protocol_md5(), flume_protocol_json(), std::string(16, 'x')});
  Decoder dec(buf);
  auto hs = read_handshake_request(dec);
  EXPECT_EQ(hs.client_hash, flume_protocol_md5());
  ASSERT_TRUE(hs.client_protocol);
  EXPECT_EQ(hs.server_hash, std::string(16, 'x'));
  std::string rb;
  Encoder renc(rb);
  write_handshake_response(renc, {HandshakeMatch::Client, flume_protocol_json(), flume_protocol_md5()});
  Decoder rdec(rb);
  auto resp = read_handshake_response(rdec);
  EXPECT_EQ(resp.match, HandshakeMatch::Client);
  EXPECT_EQ(*resp.server_hash, flume_protocol_md5());
}

TEST(AvroIpc, CallRequestsAndResponses) {
  Batch events;
  Event e("body\0bin");
  e.headers.set("h", "v");
  events.push_back(e);
  events.push_back(Event("second"));
  std::string buf;
  Encoder enc(buf);
  write_call_request(enc, "appendBatch", events);
  Decoder dec(buf);
  auto call = read_call_request(dec);
  EXPECT_EQ(call.message, "appendBatch");
  EXPECT_EQ(call.events, events);
  std::string ok, err;
  Encoder e1(ok), e2(err);
  write_status_response(e1, Status::Failed);
  write_error_response(e2, "boom");
  Decoder d1(ok), d2(err);
  EXPECT_EQ(read_status_response(d1), Status::Failed);
  EXPECT_THROW(read_status_response(d2), DecodeError);
  std::string bad;
  Encoder be(bad);
  be.write_long(0);
  be.write_string("deleteEverything");
  Decoder bd(bad);
  EXPECT_THROW(read_call_request(bd), DecodeError);
}

TEST(IpFilter, FlumeRuleSyntax) {
  std::vector<IpFilterRule> rules;
  std::string err;
  ASSERT_TRUE(parse_ip_filter_rules("allow:ip:127.*,deny:name:evil*,allow:name:*.example.com", rules, err)) << err;
  EXPECT_TRUE(ip_allowed(rules, "127.0.0.1", ""));
  EXPECT_FALSE(ip_allowed(rules, "10.0.0.1", "evil.example.com"));
  EXPECT_TRUE(ip_allowed(rules, "10.0.0.2", "web.example.com"));
  EXPECT_FALSE(ip_allowed(rules, "10.0.0.3", ""));  // no rule matches: denied
  EXPECT_FALSE(parse_ip_filter_rules("permit:ip:1.2.3.4", rules, err));
  EXPECT_NE(err.find("expected allow|deny:ip|name:pattern"), std::string::npos);
}

struct Pair {
  std::unique_ptr<MemoryChannel> in, out;
  std::unique_ptr<AvroSource> src;
  std::unique_ptr<AvroSink> sink;
  explicit Pair(std::map<std::string, std::string> out_kv = {{"keep-alive", "0"}},
                std::map<std::string, std::string> src_kv = {}) {
    auto c1 = make_context({{"keep-alive", "0"}, {"capacity", "1000"}});
    auto c2 = make_context(out_kv);
    in = std::make_unique<MemoryChannel>("in", c1);
    out = std::make_unique<MemoryChannel>("out", c2);
    src_kv.insert({{"bind", "127.0.0.1"}, {"port", "0"}});
    auto sctx = make_context(src_kv);
    src = std::make_unique<AvroSource>("r1", sctx);
    auto sel = make_channel_selector(make_context({}), {out.get()}, [&](const std::string&) { return out.get(); });
    src->set_channel_processor(
        std::make_shared<ChannelProcessor>("r1", std::move(sel), std::vector<std::unique_ptr<Interceptor>>{}));
    src->start();
    auto kctx = make_context({{"hostname", "127.0.0.1"}, {"port", std::to_string(src->port())}, {"batch-size", "10"},
                              {"request-timeout", "3000"}});
    sink = std::make_unique<AvroSink>("k1", kctx);
    sink->set_channel(in.get());
    sink->start();
  }
  ~Pair() {
    sink->stop();
    src->stop();
  }
};

TEST(AvroSinkSource, DeliversBatchesWithHeaders) {
  Pair p;
  {
    auto tx = p.in->begin();
    for (int i = 0; i < 25; ++i) {
      Event e("e" + std::to_string(i));
      e.headers.set("n", std::to_string(i));
      tx->put(std::move(e));
    }
    tx->commit();
  }
  while (p.in->size() > 0) p.sink->process();
  auto tx = p.out->begin();
  EXPECT_EQ(tx->take(100, false), 25u);
  EXPECT_EQ(tx->taken()[24].body, "e24");
  EXPECT_EQ(tx->taken()[24].headers.get("n"), "24");
  tx->commit();
}

TEST(AvroSinkSource, FullServerChannelAnswersFailedAndTheSinkRollsBack) {
  Pair p({{"keep-alive", "0"}, {"capacity", "5"}, {"transactionCapacity", "10"}});
  {
    auto tx = p.in->begin();
    for (int i = 0; i < 10; ++i) tx->put(Event("x"));
    tx->commit();
  }
  EXPECT_THROW(p.sink->process(), DeliveryException);  // the server answered FAILED
  EXPECT_EQ(p.in->size(), 10u);                         // nothing left the remote channel
}

TEST(AvroSinkSource, SinkReconnectsWhenTheSourceClosedAnIdleConnection) {
  Pair p({{"keep-alive", "0"}}, {{"idleTimeout", "1"}});
  for (int round = 0; round < 2; ++round) {
    {
      auto tx = p.in->begin();
      tx->put(Event("round " + std::to_string(round)));
      tx->commit();
    }
    EXPECT_NO_THROW(p.sink->process()) << round;
    if (round == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the source closes it
  }
  EXPECT_EQ(p.in->size(), 0u);
  auto tx = p.out->begin();
  EXPECT_EQ(tx->take(100, false), 2u);
  tx->commit();
}

TEST(AvroSinkSource, ServerDownIsADeliveryFailure) {
  auto c = make_context({{"keep-alive", "0"}});
  MemoryChannel ch("c", c);
  auto kctx = make_context({{"hostname", "127.0.0.1"}, {"port", "1"}, {"connect-timeout", "500"}});
  AvroSink sink("k1", kctx);
  sink.set_channel(&ch);
  sink.start();
  {
    auto tx = ch.begin();
    tx->put(Event("x"));
    tx->commit();
  }
  EXPECT_THROW(sink.process(), DeliveryException);
  EXPECT_EQ(ch.size(), 1u);
  sink.stop();
}

TEST(AvroSource, GarbageClosesOnlyThatConnection) {
  Pair p;
  RpcOptions o;
  o.host = "127.0.0.1";
  o.port = p.src->port();
  o.request_timeout = std::chrono::milliseconds(2000);
  // A raw connection sending garbage is closed...
  {
    RpcClient bad(o);
    bad.connect();
  }
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(p.src->port()));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  std::string junk("\0\0\0\x01\x7f\xff\xff\xffGARBAGE", 15);
  ASSERT_GT(::send(fd, junk.data(), junk.size(), 0), 0);
  char c;
  EXPECT_EQ(::recv(fd, &c, 1, 0), 0);  // closed by the server
  ::close(fd);
  // ...while a well-behaved client still gets served.
  RpcClient good(o);
  EXPECT_EQ(good.append_batch({Event("fine")}), Status::Ok);
}

int raw_connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

// True when the server closed fd (EOF) within timeout_ms; false while it stays open.
bool closed_by_server(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  char c;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

TEST(AvroSource, IdleTimeoutClosesAHalfSentFrameAndSparesBusyConnections) {
  Pair p({{"keep-alive", "0"}}, {{"idleTimeout", "1"}});
  int slow = raw_connect(p.src->port());
  // A frame announcing one 16-byte buffer, of which 4 bytes ever arrive.
  std::string half("\0\0\0\x01\0\0\0\x01\0\0\0\x10" "abcd", 16);
  ASSERT_EQ(::send(slow, half.data(), half.size(), 0), static_cast<ssize_t>(half.size()));
  RpcOptions o;
  o.host = "127.0.0.1";
  o.port = p.src->port();
  o.request_timeout = std::chrono::milliseconds(2000);
  RpcClient busy(o);
  busy.connect();
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(closed_by_server(slow, 500));  // not before idleTimeout
  // The busy connection outlives idleTimeout because each complete request moves its deadline.
  bool slow_closed = false;
  size_t sent = 0;
  while (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(2500)) {
    EXPECT_EQ(busy.append_batch({Event("still here " + std::to_string(sent))}), Status::Ok) << sent;
    ++sent;
    if (!slow_closed) {
      slow_closed = closed_by_server(slow, 200);
      if (slow_closed) {
        EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(900));
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  EXPECT_TRUE(slow_closed);
  ::close(slow);
  auto tx = p.out->begin();
  EXPECT_EQ(tx->take(100, false), sent);
  tx->commit();
}

TEST(AvroSource, IdleTimeoutZeroKeepsAPartialFrameOpen) {
  Pair p({{"keep-alive", "0"}}, {{"idleTimeout", "0"}});
  int slow = raw_connect(p.src->port());
  ASSERT_EQ(::send(slow, "\0\0", 2, 0), 2);
  EXPECT_FALSE(closed_by_server(slow, 1500));
  ::close(slow);
}

TEST(AvroSource, MaxConnectionsRefusesTheExtraOnes) {
  Pair p({{"keep-alive", "0"}}, {{"maxConnections", "2"}});
  int a = raw_connect(p.src->port());
  int b = raw_connect(p.src->port());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // both accepted
  int c = raw_connect(p.src->port());
  EXPECT_TRUE(closed_by_server(c, 2000));
  EXPECT_FALSE(closed_by_server(a, 100));
  ::close(c);
  ::close(a);
  // Once a slot is free again a client is served.
  RpcOptions o;
  o.host = "127.0.0.1";
  o.port = p.src->port();
  o.request_timeout = std::chrono::milliseconds(2000);
  Status s = Status::Failed;
  for (int i = 0; i < 50 && s != Status::Ok; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    try {
      RpcClient client(o);
      client.connect();
      s = client.append_batch({Event("in")});
    } catch (const RpcError&) {
    }
  }
  EXPECT_EQ(s, Status::Ok);
  ::close(b);
}

}  // namespace
}  // namespace sluice
