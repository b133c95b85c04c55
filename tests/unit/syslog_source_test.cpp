// syslogtcp / syslogudp sources over real loopback sockets.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "channels/memory_channel.hpp"
#include "sources/syslog_tcp_source.hpp"
#include "sources/syslog_udp_source.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using test::make_context;

std::shared_ptr<ChannelProcessor> to(Channel* ch) { return test::processor_to(ch); }

// Everything in the channel; with max, one transaction of at most max events (a slow consumer).
std::vector<Event> drain(Channel& ch, size_t max = 0) {
  if (max == 0) return test::drain_events(ch);
  auto tx = ch.begin();
  tx->take(max, false);
  std::vector<Event> out(tx->taken().begin(), tx->taken().end());
  tx->commit();
  return out;
}

int dial(int port, int type = SOCK_STREAM) { return test::dial_loopback(port, type); }

void send_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    ASSERT_GT(n, 0);
    off += static_cast<size_t>(n);
  }
}

TEST(SyslogTcpSource, FullChannelPausesReadingAndLosesNothing) {
  auto cctx = make_context({{"capacity", "20"}, {"transactionCapacity", "10"}, {"keep-alive", "0"}});
  MemoryChannel ch("c1", cctx);
  auto ctx = make_context({{"host", "127.0.0.1"}, {"port", "0"}, {"batchSize", "10"}, {"keepFields", "all"}});
  SyslogTcpSource src("r1", ctx);
  src.set_channel_processor(to(&ch));
  src.start();
  int fd = dial(src.bound_ports()[0]);
  std::string wire;
  const int n = 3000;
  for (int i = 0; i < n; ++i) wire += "<13>Nov 22 10:11:12 h app: line-" + std::to_string(i) + "\n";
  std::thread sender([&] {
    send_all(fd, wire);
    ::shutdown(fd, SHUT_WR);
  });
  std::vector<std::string> got;
  for (int round = 0; round < 2000 && got.size() < static_cast<size_t>(n); ++round) {
    for (auto& e : drain(ch, 7)) got.push_back(e.body);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  sender.join();
  ::close(fd);
  src.stop();
  ASSERT_EQ(got.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) ASSERT_EQ(got[i], "<13>Nov 22 10:11:12 h app: line-" + std::to_string(i));
}

TEST(SyslogTcpSource, OctetCountingOversizeAndInvalid) {
  auto cctx = make_context({{"capacity", "100"}, {"keep-alive", "0"}});
  MemoryChannel ch("c1", cctx);
  auto ctx = make_context({{"host", "127.0.0.1"}, {"port", "0"}, {"eventSize", "20"}});
  SyslogTcpSource src("r1", ctx);
  src.set_channel_processor(to(&ch));
  src.start();
  int fd = dial(src.bound_ports()[0]);
  std::string a = "<13>1 - h a - - ok", b = "<13>1 - h a - - " + std::string(30, 'x');
  send_all(fd, std::to_string(a.size()) + " " + a + std::to_string(b.size()) + " " + b);
  ::close(fd);
  std::vector<Event> got;
  for (int i = 0; i < 200 && got.size() < 4; ++i) {
    for (auto& e : drain(ch)) got.push_back(e);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  src.stop();
  // 46 bytes at eventSize 20: an Incomplete event, then the rest of the frame as events of their
  // own (Invalid: they do not start with <PRI>), as Flume does. Every byte is delivered.
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].body, "a - - ok");
  EXPECT_EQ(got[1].headers.get("flume.syslog.status"), "Incomplete");
  EXPECT_EQ(got[2].headers.get("flume.syslog.status"), "Invalid");
  EXPECT_EQ(got[3].headers.get("flume.syslog.status"), "Invalid");
  EXPECT_EQ(got[1].body + got[2].body + got[3].body, "a - - " + std::string(30, 'x'));  // header parsed off the first piece
}

TEST(SyslogUdpSource, DatagramsBecomeEvents) {
  auto cctx = make_context({{"capacity", "100"}, {"keep-alive", "0"}});
  MemoryChannel ch("c1", cctx);
  auto ctx = make_context({{"host", "127.0.0.1"}, {"port", "0"}, {"clientIPHeader", "ip"}});
  SyslogUdpSource src("r1", ctx);
  src.set_channel_processor(to(&ch));
  src.start();
  int fd = dial(src.bound_port(), SOCK_DGRAM);
  for (int i = 0; i < 5; ++i) send_all(fd, "<14>1 2025-11-22T10:11:12Z h app - - udp-" + std::to_string(i) + "\n");
  ::close(fd);
  std::vector<Event> got;
  for (int i = 0; i < 200 && got.size() < 5; ++i) {
    for (auto& e : drain(ch)) got.push_back(e);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  src.stop();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[4].body, "app - - udp-4");
  EXPECT_EQ(got[0].headers.get("ip"), "127.0.0.1");
  EXPECT_EQ(got[0].headers.get("Severity"), "6");
}

TEST(SyslogUdpSource, BurstsFromTwoSendersKeepTheirAddressesAndSizes) {
  // More datagrams than one recvmmsg burst and than one batch, from two source addresses
  // interleaved, one of them 60000 bytes: every one arrives whole, with its own sender's address.
  auto cctx = make_context({{"capacity", "2000"}, {"transactionCapacity", "100"}, {"keep-alive", "1"}});
  MemoryChannel ch("c1", cctx);
  auto ctx = make_context({{"host", "127.0.0.1"}, {"port", "0"}, {"clientIPHeader", "ip"}, {"batchSize", "50"},
                           {"eventSize", "65000"}, {"keepFields", "all"}});
  SyslogUdpSource src("r1", ctx);
  src.set_channel_processor(to(&ch));
  src.start();
  auto sender = [&](const char* from) {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, from, &a.sin_addr);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(src.bound_port()));
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    return fd;
  };
  int a = sender("127.0.0.1"), b = sender("127.0.0.2");
  const int n = 300;
  std::string big = "<14>1 2025-11-22T10:11:12Z h app - - " + std::string(60000, 'x');
  for (int i = 0; i < n; ++i) {
    std::string m = i == 150 ? big : "<14>1 2025-11-22T10:11:12Z h app - - m" + std::to_string(i);
    send_all(i % 2 ? b : a, m);
    if (i % 64 == 63) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // stay under the socket buffer
  }
  ::close(a);
  ::close(b);
  std::vector<Event> got;
  for (int i = 0; i < 400 && got.size() < static_cast<size_t>(n); ++i) {
    for (auto& e : drain(ch)) got.push_back(e);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  src.stop();
  ASSERT_EQ(got.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(got[i].body, i == 150 ? big : "<14>1 2025-11-22T10:11:12Z h app - - m" + std::to_string(i)) << i;
    EXPECT_EQ(got[i].headers.get("ip"), i % 2 ? "127.0.0.2" : "127.0.0.1") << i;
  }
}

TEST(SyslogSources, ConfigErrors) {
  Diagnostics d;
  auto ctx = make_context({{"keepFields", "prio"}, {"eventSize", "5"}}, &d, "source r1 (type syslogtcp)",
                          "a1.sources.r1.");
  SyslogTcpSource s("r1", ctx);
  std::string out = d.format();
  EXPECT_NE(out.find("a1.sources.r1.port: is required"), std::string::npos) << out;
  EXPECT_NE(out.find("a1.sources.r1.keepFields: 'prio' is not a field"), std::string::npos) << out;
  EXPECT_NE(out.find("a1.sources.r1.eventSize: 5 is out of range"), std::string::npos) << out;
  Diagnostics d2;
  auto m = make_context({{"ports", "514 x99"}}, &d2);
  MultiportSyslogTcpSource ms("r1", m);
  EXPECT_NE(d2.format().find("'x99' is not a port number"), std::string::npos) << d2.format();
}

}  // namespace
}  // namespace sluice
