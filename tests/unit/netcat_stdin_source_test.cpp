#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "channels/memory_channel.hpp"
#include "sources/netcat_source.hpp"
#include "sources/stdin_source.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using test::make_context;

std::shared_ptr<ChannelProcessor> to(Channel* ch) { return test::processor_to(ch); }

std::vector<std::string> drain(Channel& ch) {
  std::vector<std::string> out;
  for (auto& e : test::drain_events(ch)) out.push_back(e.body);
  return out;
}

int connect_to(int port) { return test::dial_loopback(port); }

std::string read_lines(int fd, int lines) {
  std::string out;
  char c;
  while (lines > 0 && ::read(fd, &c, 1) == 1) {
    out += c;
    if (c == '\n') --lines;
  }
  return out;
}

TEST(NetcatSource, AcksEachLineAfterCommit) {
  auto cctx = make_context({{"capacity", "3"}, {"transactionCapacity", "3"}, {"keep-alive", "0"}});
  MemoryChannel ch("c1", cctx);
  auto ctx = make_context({{"bind", "127.0.0.1"}, {"port", "0"}, {"max-line-length", "16"}});
  NetcatSource src("r1", ctx);
  src.set_channel_processor(to(&ch));
  src.start();
  int fd = connect_to(src.port());
  std::string msg = "hello\r\nworld\n" + std::string(40, 'x') + "\nafter\n";
  ASSERT_EQ(::write(fd, msg.data(), msg.size()), static_cast<ssize_t>(msg.size()));
  std::string acks = read_lines(fd, 4);
  EXPECT_EQ(acks, "OK\nOK\nFAILED: Event exceeds the maximum length (16 chars, including newline)\nOK\n");
  EXPECT_EQ(drain(ch), (std::vector<std::string>{"hello", "world", "after"}));
  // Channel full: the client is told, the line is not silently lost.
  std::string four = "1\n2\n3\n4\n";
  ASSERT_EQ(::write(fd, four.data(), four.size()), 8);
  std::string r = read_lines(fd, 4);
  EXPECT_NE(r.find("FAILED: channel c1 is full"), std::string::npos) << r;
  ::close(fd);
  src.stop();
}

TEST(StdinSource, ReadsLinesUntilEndOfInput) {
  auto cctx = make_context({{"keep-alive", "0"}, {"capacity", "1000"}});
  MemoryChannel ch("c1", cctx);
  auto ctx = make_context({{"batchSize", "2"}, {"batchTimeout", "50"}});
  StdinSource src("r1", ctx);
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  src.set_input_fd(p[0]);
  src.set_channel_processor(to(&ch));
  src.start();
  std::string in = "a\nb\nc\nlast-without-newline";
  ASSERT_EQ(::write(p[1], in.data(), in.size()), static_cast<ssize_t>(in.size()));
  ::close(p[1]);
  std::vector<std::string> got;
  for (int i = 0; i < 200 && got.size() < 4; ++i) {
    auto more = drain(ch);
    got.insert(got.end(), more.begin(), more.end());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  src.stop();
  ::close(p[0]);
  EXPECT_EQ(got, (std::vector<std::string>{"a", "b", "c", "last-without-newline"}));
}

}  // namespace
}  // namespace sluice
