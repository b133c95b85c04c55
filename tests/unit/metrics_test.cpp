#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "agent/metrics.hpp"

namespace sluice {
namespace {

TEST(Metrics, FlumeJsonShapeWithStringValues) {
  MetricsRegistry reg;
  SourceCounters src("r1");
  SinkCounters sink("k1");
  ChannelCounters ch("c1");
  ch.group->gauge("ChannelSize", [] { return std::string("7"); });
  src.events_received.inc(10);
  src.events_accepted.inc(9);
  sink.drain_success.inc(3);
  src.group->mark_start();
  reg.add(src.group);
  reg.add(sink.group);
  reg.add(ch.group);
  auto root = boost::json::parse(reg.to_json()).as_object();
  ASSERT_TRUE(root.contains("SOURCE.r1"));
  ASSERT_TRUE(root.contains("SINK.k1"));
  ASSERT_TRUE(root.contains("CHANNEL.c1"));
  auto s = root["SOURCE.r1"].as_object();
  EXPECT_EQ(s["Type"].as_string(), "SOURCE");
  EXPECT_EQ(s["EventReceivedCount"].as_string(), "10");
  EXPECT_EQ(s["EventAcceptedCount"].as_string(), "9");
  EXPECT_NE(s["StartTime"].as_string(), "0");
  EXPECT_EQ(s["StopTime"].as_string(), "0");
  for (const char* k : {"AppendReceivedCount", "AppendAcceptedCount", "AppendBatchReceivedCount",
                        "AppendBatchAcceptedCount", "OpenConnectionCount", "ChannelWriteFail", "EventReadFail",
                        "GenericProcessingFail"})
    EXPECT_TRUE(s.contains(k)) << k;
  auto k = root["SINK.k1"].as_object();
  EXPECT_EQ(k["EventDrainSuccessCount"].as_string(), "3");
  for (const char* n : {"ConnectionCreatedCount", "ConnectionClosedCount", "ConnectionFailedCount", "BatchEmptyCount",
                        "BatchUnderflowCount", "BatchCompleteCount", "EventDrainAttemptCount", "EventWriteFail",
                        "ChannelReadFail"})
    EXPECT_TRUE(k.contains(n)) << n;
  auto c = root["CHANNEL.c1"].as_object();
  EXPECT_EQ(c["ChannelSize"].as_string(), "7");
  for (const char* n : {"EventPutAttemptCount", "EventPutSuccessCount", "EventTakeAttemptCount",
                        "EventTakeSuccessCount"})
    EXPECT_TRUE(c.contains(n)) << n;
}

TEST(Metrics, PrometheusText) {
  MetricsRegistry reg;
  SourceCounters src("r1");
  src.events_received.inc(5);
  reg.add(src.group);
  std::string p = reg.to_prometheus();
  EXPECT_NE(p.find("# TYPE sluice_source_event_received_count counter\n"), std::string::npos) << p;
  EXPECT_NE(p.find("sluice_source_event_received_count{component=\"r1\"} 5\n"), std::string::npos) << p;
  EXPECT_EQ(p.find("Type"), std::string::npos);
}

TEST(Metrics, FamiliesAreFlatKeysInJsonAndLabelledSamplesInPrometheus) {
  MetricsRegistry reg;
  auto g = std::make_shared<ComponentMetrics>("INTERCEPTOR", "ioc");
  std::vector<ComponentMetrics::Member> members = {{{"threatfox", "domain"}, 3}, {{"a\"b", "ipv4"}, 7}};
  g->family("HitsByFeed", {"feed", "type"}, true, [&] { return members; });
  g->family("FeedLoadMs", {"feed"}, false, [] { return std::vector<ComponentMetrics::Member>{{{"x"}, 12}}; });
  reg.add(g);
  auto o = boost::json::parse(reg.to_json()).as_object()["INTERCEPTOR.ioc"].as_object();
  EXPECT_EQ(o["HitsByFeed.threatfox.domain"].as_string(), "3");
  EXPECT_EQ(o["HitsByFeed.a\"b.ipv4"].as_string(), "7");
  EXPECT_EQ(o["FeedLoadMs.x"].as_string(), "12");
  std::string p = reg.to_prometheus();
  EXPECT_NE(p.find("# TYPE sluice_interceptor_hits_by_feed counter\n"), std::string::npos) << p;
  EXPECT_NE(p.find("sluice_interceptor_hits_by_feed{component=\"ioc\",feed=\"threatfox\",type=\"domain\"} 3\n"),
            std::string::npos) << p;
  EXPECT_NE(p.find("sluice_interceptor_hits_by_feed{component=\"ioc\",feed=\"a\\\"b\",type=\"ipv4\"} 7\n"),
            std::string::npos) << p;
  EXPECT_NE(p.find("# TYPE sluice_interceptor_feed_load_ms gauge\nsluice_interceptor_feed_load_ms{component=\"ioc\",feed=\"x\"} 12\n"),
            std::string::npos) << p;
  EXPECT_EQ(p.find("threatfox_domain"), std::string::npos) << p;  // no flattened copy
  members.push_back({{"new", "url"}, 1});  // read at every rendering
  EXPECT_NE(reg.to_prometheus().find("feed=\"new\",type=\"url\"} 1"), std::string::npos);
}

TEST(Metrics, ReAddingReplacesAndRemoveDrops) {
  MetricsRegistry reg;
  SourceCounters a("r1"), b("r1");
  b.events_received.inc(2);
  reg.add(a.group);
  reg.add(b.group);
  auto root = boost::json::parse(reg.to_json()).as_object();
  EXPECT_EQ(root.size(), 1u);
  EXPECT_EQ(root["SOURCE.r1"].as_object()["EventReceivedCount"].as_string(), "2");
  reg.remove("SOURCE.r1");
  EXPECT_EQ(reg.to_json(), "{}");
}

}  // namespace
}  // namespace sluice
