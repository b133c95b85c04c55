#include <gtest/gtest.h>

#include <thread>

#include "channels/memory_channel.hpp"
#include "sources/exec_source.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using test::make_context;

std::vector<std::string> collect(Channel& ch, size_t want, int max_ms = 5000) {
  std::vector<std::string> got;
  for (int i = 0; i < max_ms / 10 && got.size() < want; ++i) {
    for (auto& e : test::drain_events(ch)) got.push_back(e.body);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return got;
}

TEST(ExecSource, CommandLinesBecomeEventsThroughAFullChannel) {
  auto cctx = make_context({{"capacity", "30"}, {"transactionCapacity", "20"}, {"keep-alive", "0"}});
  MemoryChannel ch("c1", cctx);
  auto ctx = make_context({{"command", "seq 1 500"}, {"batchSize", "20"}, {"batchTimeout", "50"}});
  ExecSource src("r1", ctx);
  src.set_channel_processor(test::processor_to(&ch));
  src.start();
  auto got = collect(ch, 500);
  src.stop();
  ASSERT_EQ(got.size(), 500u);  // the channel was full most of the time: nothing dropped
  for (int i = 0; i < 500; ++i) EXPECT_EQ(got[i], std::to_string(i + 1));
}

TEST(ExecSource, ShellRestartAndPartialLastLine) {
  auto cctx = make_context({{"capacity", "1000"}, {"keep-alive", "0"}});
  MemoryChannel ch("c1", cctx);
  auto ctx = make_context({{"command", "echo a; echo err >&2; printf b"},
                           {"shell", "/bin/sh -c"},
                           {"restart", "true"},
                           {"restartThrottle", "50"},
                           {"logStdErr", "true"},
                           {"batchTimeout", "20"}});
  ExecSource src("r1", ctx);
  src.set_channel_processor(test::processor_to(&ch));
  src.start();
  auto got = collect(ch, 4);
  src.stop();
  ASSERT_GE(got.size(), 4u);  // ran at least twice
  EXPECT_EQ(got[0], "a");
  EXPECT_EQ(got[1], "b");  // a last line without newline is delivered when the command ends
  EXPECT_EQ(got[2], "a");
}

TEST(ExecSource, MissingCommandIsAConfigError) {
  Diagnostics d;
  auto ctx = make_context({}, &d, "source r1 (type exec)", "a1.sources.r1.");
  ExecSource s("r1", ctx);
  EXPECT_NE(d.format().find("a1.sources.r1.command: is required"), std::string::npos);
}

}  // namespace
}  // namespace sluice
