// What Pipeline::stop says about events still in a channel: lost for a memory channel, kept for a
// durable one (file here; kafka says the same, its events stay in the topic).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "agent/agent_config.hpp"
#include "agent/pipeline.hpp"
#include "agent/properties.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

TEST(PipelineShutdown, SaysWhetherEventsLeftInAChannelAreLostOrKept) {
  test::TempDir dir;
  std::string conf =
      "a.sources = s\na.channels = m f\n"
      "a.sources.s.type = seq\na.sources.s.totalEvents = 5\na.sources.s.channels = m f\n"
      "a.channels.m.type = memory\n"
      "a.channels.f.type = file\na.channels.f.checkpointDir = " + (dir.p / "cp").string() +
      "\na.channels.f.dataDirs = " + (dir.p / "data").string() + "\n";  // no sinks: the events stay
  Diagnostics d;
  auto cfg = resolve_agent(parse_properties(conf, "t.conf", d), "a", "t.conf", d);
  auto p = Pipeline::build(cfg, d, false);
  ASSERT_TRUE(p) << d.format();
  MetricsRegistry metrics;
  p->start(metrics);
  // The seq source puts its 5 events into both channels (no sink takes them).
  auto put_count = [&](const std::string& ch) {
    std::string j = metrics.to_json();
    size_t at = j.find("\"CHANNEL." + ch + "\"");
    size_t c = j.find("\"EventPutSuccessCount\"", at);
    return at == std::string::npos || c == std::string::npos ? -1 : std::atoi(j.c_str() + j.find('"', c + 23) + 1);
  };
  for (int i = 0; i < 200 && (put_count("m") < 5 || put_count("f") < 5); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(put_count("f"), 5) << metrics.to_json();
  testing::internal::CaptureStderr();
  p->stop(std::chrono::milliseconds(0));
  std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("WARN  [m] channel stopped with 5 events not yet taken: they are lost"), std::string::npos) << log;
  EXPECT_NE(log.find("INFO  [f] channel stopped with 5 events not yet taken: they stay in its storage (durable)"),
            std::string::npos) << log;
  EXPECT_EQ(log.find("events left in the channel"), std::string::npos) << log;
}

}  // namespace
}  // namespace sluice
