// The HDFS sink's roller: path escapes, naming, roll policies, formats, crash recovery.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <set>
#include <thread>

#include "channels/memory_channel.hpp"
#include "sinks/backends/local_storage.hpp"
#include "sinks/hdfs_sink.hpp"
#include "sinks/roller/file_format.hpp"
#include "sinks/roller/path_template.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using roller::PathTemplate;
using roller::TimeOptions;
using test::make_context;

Event at(int64_t ms, std::string body = "x") {
  Event e(std::move(body));
  e.headers.set("timestamp", std::to_string(ms));
  return e;
}

TimeOptions utc() {
  TimeOptions t;
  t.time_zone = "UTC";
  return t;
}

const int64_t kT = 1763893845123LL;  // 2025-11-23T10:30:45.123Z, a Sunday

TEST(PathTemplate, EveryTimeEscape) {
  auto x = [](const std::string& p) { return PathTemplate(p).expand(at(kT), utc(), 0); };
  EXPECT_EQ(x("%Y%m%d/%H%M%S"), "20251123/103045");
  EXPECT_EQ(x("%y-%n-%e %k:%l %p"), "25-11-23 10:10 AM");
  EXPECT_EQ(x("%I"), "10");
  EXPECT_EQ(x("%j"), "327");
  EXPECT_EQ(x("%a %A %b %B"), "Sun Sunday Nov November");
  EXPECT_EQ(x("%D"), "11/23/25");
  EXPECT_EQ(x("%c"), "Sun Nov 23 10:30:45 2025");
  EXPECT_EQ(x("%s %t"), "1763893845 1763893845123");
  EXPECT_EQ(x("%z"), "+0000");
  EXPECT_EQ(x("100%%"), "100%");
  auto pm = PathTemplate("%l %p").expand(at(kT + 4 * 3600 * 1000LL), utc(), 0);
  EXPECT_EQ(pm, "2 PM");
}

TEST(PathTemplate, TimeZoneAndRounding) {
  TimeOptions t = utc();
  t.time_zone = "America/New_York";
  EXPECT_EQ(PathTemplate("%Y%m%d%H").expand(at(kT), t, 0), "2025112305");
  TimeOptions r = utc();
  r.round = true;
  r.round_value = 15;
  r.round_unit = TimeOptions::Unit::Minute;
  EXPECT_EQ(PathTemplate("%H%M").expand(at(kT), r, 0), "1030");
  r.round_value = 2;
  r.round_unit = TimeOptions::Unit::Hour;
  EXPECT_EQ(PathTemplate("%H%M").expand(at(kT), r, 0), "1000");
  r.round_value = 10;
  r.round_unit = TimeOptions::Unit::Second;
  EXPECT_EQ(PathTemplate("%S").expand(at(kT), r, 0), "40");
  TimeOptions local = utc();
  local.use_local_time = true;
  EXPECT_EQ(PathTemplate("%Y").expand(Event("no header"), local, kT), "2025");
}

TEST(PathTemplate, HeadersHostsAndSanitising) {
  Event e = at(kT);
  e.headers.set("type", "proxy");
  e.headers.set("evil", "../../etc");
  e.headers.set("ctl", std::string("a\nb\0c", 5));
  EXPECT_EQ(PathTemplate("/d/%{type}/dt=%Y-%m-%d").expand(e, utc(), 0), "/d/proxy/dt=2025-11-23");
  EXPECT_EQ(PathTemplate("/d/%{evil}").expand(e, utc(), 0), "/d/______etc");
  EXPECT_EQ(PathTemplate("/d/%{ctl}").expand(e, utc(), 0), "/d/a_b_c");
  Event dots;
  dots.headers.set("h", "..");
  EXPECT_EQ(PathTemplate("/d/%{h}/x").expand(dots, utc(), 0), "/d/_/x");
  EXPECT_FALSE(PathTemplate("%[localhost]").expand(e, utc(), 0).empty());
  EXPECT_FALSE(PathTemplate("%[IP]").expand(e, utc(), 0).empty());
}

TEST(PathTemplate, ErrorsAreClear) {
  EXPECT_THROW(PathTemplate("/d/%Q"), roller::PathError);
  EXPECT_THROW(PathTemplate("/d/%{unclosed"), roller::PathError);
  EXPECT_THROW(PathTemplate("/d/%[HOSTNAME]"), roller::PathError);
  try {
    PathTemplate("/d/%{type}").expand(Event("x"), utc(), 0);
    FAIL();
  } catch (const roller::PathError& e) {
    EXPECT_NE(std::string(e.what()).find("no 'type' header"), std::string::npos);
  }
  EXPECT_THROW(PathTemplate("/d/%Y").expand(Event("x"), utc(), 0), roller::PathError);  // no timestamp
  EXPECT_EQ(PathTemplate("/data/in/%Y/%{x}").static_prefix(), "/data/in");
}

TEST(PathTemplate, ExpandIntoReusesTheSecondAndMatchesExpand) {
  PathTemplate p("/data/%Y%m%d/%H%M%S");
  TimeOptions t = utc();
  std::string out;
  // Same second (different ms): same result; next second, next day, an earlier time: recomputed.
  for (int64_t ms : std::vector<int64_t>{kT, kT + 500, kT + 876, kT + 1000, kT + 86400000LL, kT - 3600000LL, kT}) {
    p.expand_into(at(ms), t, 0, out);
    EXPECT_EQ(out, p.expand(at(ms), t, 0)) << ms;
  }
  p.expand_into(at(kT + 1000), t, 0, out);
  EXPECT_EQ(out, "/data/20251123/103046");
  // Another zone through the same template: not the cached result.
  TimeOptions ny = utc();
  ny.time_zone = "America/New_York";
  p.expand_into(at(kT + 1000), ny, 0, out);
  EXPECT_EQ(out, "/data/20251123/053046");
  // A header or %t makes every event expand on its own.
  PathTemplate h("/%{type}/%H");
  Event a = at(kT), b = at(kT);
  a.headers.set("type", "proxy");
  b.headers.set("type", "dns");
  h.expand_into(a, t, 0, out);
  EXPECT_EQ(out, "/proxy/10");
  h.expand_into(b, t, 0, out);
  EXPECT_EQ(out, "/dns/10");
  PathTemplate ms("%t");
  ms.expand_into(at(kT), t, 0, out);
  ms.expand_into(at(kT + 1), t, 0, out);
  EXPECT_EQ(out, std::to_string(kT + 1));
  // A bad timestamp is still an error, never a cached answer.
  Event bad("x");
  bad.headers.set("timestamp", "12x");
  EXPECT_THROW(p.expand_into(bad, t, 0, out), roller::PathError);
}

struct Dir {
  fs::path p;
  Dir() {
    char t[] = "/tmp/sluice-roller.XXXXXX";
    p = mkdtemp(t);
  }
  ~Dir() { fs::remove_all(p); }
  std::vector<std::string> files() const {
    std::vector<std::string> v;
    for (auto& f : fs::recursive_directory_iterator(p))
      if (f.is_regular_file()) v.push_back(fs::relative(f.path(), p).string());
    std::sort(v.begin(), v.end());
    return v;
  }
};

std::string gunzip(const std::string& data) {
  std::string out;
  roller::salvage_gzip(data, out);
  return out;
}

struct SinkRig {
  Dir dir;
  Diagnostics diag;
  std::unique_ptr<MemoryChannel> ch;
  std::unique_ptr<HdfsSink> sink;
  explicit SinkRig(std::map<std::string, std::string> kv) {
    auto cctx = make_context({{"capacity", "10000"}, {"transactionCapacity", "1000"}, {"keep-alive", "0"}});
    ch = std::make_unique<MemoryChannel>("c1", cctx);
    for (auto& [k, v] : kv)
      if (v.find("@DIR@") != std::string::npos) v.replace(v.find("@DIR@"), 5, dir.p.string());
    auto ctx = make_context(kv, &diag, "sink k1 (type hdfs)", "a1.sinks.k1.");
    sink = std::make_unique<HdfsSink>("k1", ctx);
    sink->set_channel(ch.get());
  }
  void put(std::vector<Event> events) {
    auto tx = ch->begin();
    for (auto& e : events) tx->put(std::move(e));
    tx->commit();
  }
  std::string read(const std::string& rel) {
    storage::LocalStorage s;
    return s.read_all((dir.p / rel).string());
  }
};

TEST(HdfsSink, FlumeNamingInUseSuffixAndRollCount) {
  SinkRig r({{"hdfs.path", "@DIR@/%Y%m%d"}, {"hdfs.fileType", "DataStream"}, {"hdfs.rollCount", "2"},
             {"hdfs.rollSize", "0"}, {"hdfs.timeZone", "UTC"}, {"hdfs.batchSize", "10"}});
  ASSERT_FALSE(r.diag.has_errors()) << r.diag.format();
  r.sink->start();
  int64_t before = now_ms();
  r.put({at(kT, "a"), at(kT, "b"), at(kT, "c")});
  r.sink->process();
  auto files = r.dir.files();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_TRUE(files[0].starts_with("20251123/FlumeData."));
  EXPECT_FALSE(files[0].ends_with(".tmp"));  // the first file rolled after 2 events: renamed
  EXPECT_TRUE(files[1].ends_with(".tmp"));   // the second is still open
  int64_t counter = std::stoll(files[0].substr(files[0].find('.') + 1));
  EXPECT_GT(counter, before);  // Flume: creation time in ms + 1, incremented per file
  EXPECT_EQ(std::stoll(files[1].substr(files[1].find('.') + 1, 13)), counter + 1);
  EXPECT_EQ(r.read(files[0]), "a\nb\n");
  r.sink->stop();
  files = r.dir.files();
  EXPECT_FALSE(files[1].ends_with(".tmp"));
  EXPECT_EQ(r.read(files[1]), "c\n");
}

TEST(HdfsSink, GzipPartitionsAndRollSize) {
  SinkRig r({{"hdfs.path", "@DIR@/%{type}/dt=%Y-%m-%d"}, {"hdfs.fileType", "CompressedStream"}, {"hdfs.codeC", "gzip"},
             {"hdfs.rollCount", "0"}, {"hdfs.rollSize", "10"}, {"hdfs.filePrefix", "proxy-data"},
             {"hdfs.timeZone", "UTC"}, {"serializer", "header_and_text"}});
  ASSERT_FALSE(r.diag.has_errors()) << r.diag.format();
  r.sink->start();
  Event a = at(kT, "0123456789"), b = at(kT, "next"), c = at(kT + 86400000LL, "tomorrow");
  a.headers.set("type", "proxy");
  b.headers.set("type", "proxy");
  c.headers.set("type", "dns");
  r.put({a, b, c});
  r.sink->process();
  r.sink->stop();
  auto files = r.dir.files();
  ASSERT_EQ(files.size(), 3u);
  EXPECT_TRUE(files[0].starts_with("dns/dt=2025-11-24/proxy-data.")) << files[0];
  EXPECT_TRUE(files[0].ends_with(".gz"));
  EXPECT_TRUE(files[1].starts_with("proxy/dt=2025-11-23/proxy-data."));
  std::string all;
  for (auto& f : files) all += gunzip(r.read(f));
  EXPECT_NE(all.find("{timestamp=1763893845123, type=proxy} 0123456789\n"), std::string::npos) << all;
  EXPECT_NE(all.find("tomorrow"), std::string::npos);
}

TEST(HdfsSink, MaxOpenFilesClosesFilesInTheMiddleOfABatch) {
  // One open file at a time and a batch that alternates between two hours: every switch closes the
  // other file (durably) while the batch is being written; nothing is lost or written twice.
  SinkRig r({{"hdfs.path", "@DIR@/%Y%m%d%H"}, {"hdfs.fileType", "DataStream"}, {"hdfs.rollCount", "0"},
             {"hdfs.rollSize", "0"}, {"hdfs.maxOpenFiles", "1"}, {"hdfs.timeZone", "UTC"}, {"hdfs.batchSize", "100"}});
  ASSERT_FALSE(r.diag.has_errors()) << r.diag.format();
  r.sink->start();
  std::vector<Event> events;
  for (int i = 0; i < 10; ++i) events.push_back(at(kT + (i % 2) * 3600000LL, "e" + std::to_string(i)));
  r.put(std::move(events));
  r.sink->process();
  r.sink->stop();
  auto files = r.dir.files();
  std::multiset<std::string> lines;
  for (auto& f : files) {
    EXPECT_FALSE(f.ends_with(".tmp")) << f;
    std::string text = r.read(f);
    for (size_t b = 0, e; (e = text.find('\n', b)) != std::string::npos; b = e + 1) lines.insert(text.substr(b, e - b));
  }
  EXPECT_EQ(files.size(), 10u);  // each switch of hour opened a new file
  std::multiset<std::string> want;
  for (int i = 0; i < 10; ++i) want.insert("e" + std::to_string(i));
  EXPECT_EQ(lines, want);
}

TEST(HdfsSink, RollIntervalAndIdleTimeout) {
  SinkRig r({{"hdfs.path", "@DIR@"}, {"hdfs.fileType", "DataStream"}, {"hdfs.rollCount", "0"}, {"hdfs.rollSize", "0"},
             {"hdfs.rollInterval", "1"}, {"hdfs.useLocalTimeStamp", "true"}});
  r.sink->start();
  r.put({Event("x")});
  r.sink->process();
  EXPECT_TRUE(r.dir.files()[0].ends_with(".tmp"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  r.sink->process();  // nothing to take: the idle pass rolls the file
  EXPECT_FALSE(r.dir.files()[0].ends_with(".tmp"));
  r.sink->stop();
}

TEST(HdfsSink, MissingHeaderRollsBackTheBatch) {
  SinkRig r({{"hdfs.path", "@DIR@/%{type}"}, {"hdfs.fileType", "DataStream"}});
  r.sink->start();
  r.put({Event("no type header")});
  EXPECT_THROW(r.sink->process(), DeliveryException);
  EXPECT_EQ(r.ch->size(), 1u);
  r.sink->stop();
}

TEST(HdfsSink, ConfigErrors) {
  SinkRig r({{"hdfs.path", "@DIR@/%Q"}, {"hdfs.fileType", "CompressedStream"}, {"serializer", "xml"},
             {"hdfs.roundUnit", "day"}});
  std::string out = r.diag.format();
  EXPECT_NE(out.find("a1.sinks.k1.hdfs.path: %Q is not an escape"), std::string::npos) << out;
  EXPECT_NE(out.find("a1.sinks.k1.hdfs.fileType: CompressedStream needs hdfs.codeC"), std::string::npos) << out;
  EXPECT_NE(out.find("a1.sinks.k1.serializer: 'xml' is not a serializer"), std::string::npos) << out;
  EXPECT_NE(out.find("a1.sinks.k1.hdfs.roundUnit: 'day' is not valid"), std::string::npos) << out;
  SinkRig m({});
  EXPECT_NE(m.diag.format().find("a1.sinks.k1.hdfs.path: is required"), std::string::npos);
}

TEST(HdfsSink, RecoversInUseFilesAndRepairsTruncatedGzip) {
  Dir dir;
  fs::create_directories(dir.p / "20251123");
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "line " + std::to_string(i) + "\n";
  // A gzip stream that was sync-flushed and then cut (no trailer), as a crash leaves it.
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
  std::string out(100000, '\0');
  z.next_in = reinterpret_cast<Bytef*>(text.data());
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_SYNC_FLUSH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  storage::LocalStorage s;
  auto f = s.create((dir.p / "20251123/FlumeData.1763893845124.gz.tmp").string());
  f->write(out);
  f->close();
  auto cctx = make_context({});
  MemoryChannel ch("c1", cctx);
  Diagnostics d;
  auto ctx = make_context({{"hdfs.path", dir.p.string() + "/%Y%m%d"}, {"hdfs.fileType", "CompressedStream"},
                           {"hdfs.codeC", "gzip"}},
                          &d);
  HdfsSink sink("k1", ctx);
  EXPECT_EQ(sink.recover(), 1u);
  auto files = dir.files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], "20251123/FlumeData.1763893845124.gz");
  std::string repaired = s.read_all((dir.p / files[0]).string());
  // A complete gzip member now: zlib reports the end of the stream.
  z_stream in{};
  inflateInit2(&in, 31);
  std::string plain(20000, '\0');
  in.next_in = reinterpret_cast<Bytef*>(repaired.data());
  in.avail_in = static_cast<uInt>(repaired.size());
  in.next_out = reinterpret_cast<Bytef*>(plain.data());
  in.avail_out = static_cast<uInt>(plain.size());
  EXPECT_EQ(inflate(&in, Z_FINISH), Z_STREAM_END);
  plain.resize(plain.size() - in.avail_out);
  inflateEnd(&in);
  EXPECT_EQ(plain, text);
}

TEST(HadoopVLong, MatchesWritableUtils) {
  auto enc = [](int64_t v) {
    std::string s;
    roller::write_hadoop_vlong(s, v);
    return s;
  };
  EXPECT_EQ(enc(0), std::string(1, '\0'));
  EXPECT_EQ(enc(127), "\x7f");
  EXPECT_EQ(enc(-112), "\x90");
  EXPECT_EQ(enc(128), "\x8f\x80");            // -113: one byte follows
  EXPECT_EQ(enc(33), "\x21");
  EXPECT_EQ(enc(300), std::string("\x8e\x01\x2c", 3));  // -114: two bytes
  EXPECT_EQ(enc(-113), "\x87\x70");           // negative: -121, one byte of ~v
}

}  // namespace
}  // namespace sluice
