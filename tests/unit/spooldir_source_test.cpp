#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "channels/memory_channel.hpp"
#include "sources/spooldir_source.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using test::make_context;

struct Spool {
  fs::path dir;
  std::unique_ptr<MemoryChannel> ch;
  std::unique_ptr<SpoolDirSource> src;
  Spool() : Spool(std::map<std::string, std::string>{}) {}
  explicit Spool(std::map<std::string, std::string> kv) {
    char t[] = "/tmp/sluice-spool.XXXXXX";
    dir = mkdtemp(t);
    auto cctx = make_context({{"capacity", "100000"}, {"transactionCapacity", "100"}, {"keep-alive", "0"}});
    ch = std::make_unique<MemoryChannel>("c1", cctx);
    kv["spoolDir"] = dir.string();
    kv.emplace("batchSize", "10");
    make(kv);
  }
  void make(const std::map<std::string, std::string>& kv) {
    auto ctx = make_context(kv);
    src = std::make_unique<SpoolDirSource>("r1", ctx);
    src->set_channel_processor(test::processor_to(ch.get()));
  }
  ~Spool() {
    src.reset();
    fs::remove_all(dir);
  }
  std::vector<std::string> bodies() {
    std::vector<std::string> out;
    for (auto& e : test::drain_events(*ch)) out.push_back(e.body);
    return out;
  }
  void pump(int n = 50) {
    for (int i = 0; i < n; ++i) src->poll_once();
  }
};

std::string numbered(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += "line " + std::to_string(i) + "\n";
  return s;
}

TEST(SpoolDir, IngestsFilesAndRenamesThem) {
  Spool s({{"fileHeader", "true"}, {"basenameHeader", "true"}});
  std::ofstream(s.dir / "a.log") << numbered(0, 25);
  std::ofstream(s.dir / "b.log") << "x\r\nlast without newline";
  s.pump();
  auto got = s.bodies();
  ASSERT_EQ(got.size(), 27u);
  EXPECT_EQ(got[24], "line 24");
  EXPECT_TRUE(fs::exists(s.dir / "a.log.COMPLETED"));
  EXPECT_TRUE(fs::exists(s.dir / "b.log.COMPLETED"));
  EXPECT_FALSE(fs::exists(s.dir / "a.log"));
}

TEST(SpoolDir, RestartResumesFromTheTrackerWithoutDuplicates) {
  Spool s;
  std::ofstream(s.dir / "a.log") << numbered(0, 35);
  s.src->poll_once();
  s.src->poll_once();  // 20 lines committed
  s.make({{"spoolDir", s.dir.string()}, {"batchSize", "10"}});
  s.pump();
  auto got = s.bodies();
  ASSERT_EQ(got.size(), 35u);
  for (int i = 0; i < 35; ++i) EXPECT_EQ(got[i], "line " + std::to_string(i));
}

TEST(SpoolDir, ModifiedFileIsAnErrorAndLeftInPlace) {
  Spool s;
  std::ofstream(s.dir / "a.log") << numbered(0, 15);
  s.src->poll_once();
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::ofstream(s.dir / "a.log", std::ios::app) << "appended after pickup\n";
  s.pump();
  EXPECT_TRUE(fs::exists(s.dir / "a.log"));
  EXPECT_FALSE(fs::exists(s.dir / "a.log.COMPLETED"));
}

TEST(SpoolDir, DecodeErrorPolicies) {
  Spool r(std::map<std::string, std::string>{{"decodeErrorPolicy", "REPLACE"}});
  std::ofstream(r.dir / "a.log") << "ok\nbad \xff byte\n";
  r.pump();
  auto got = r.bodies();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], "bad \xEF\xBF\xBD byte");
  Spool f;  // FAIL (default): the file is not completed
  std::ofstream(f.dir / "a.log") << "bad \xff\n";
  f.pump();
  EXPECT_TRUE(fs::exists(f.dir / "a.log"));
  EXPECT_TRUE(f.bodies().empty());
}

TEST(SpoolDir, LongLinesInPiecesAndDeletePolicy) {
  Spool s({{"deserializer.maxLineLength", "8"}, {"deletePolicy", "immediate"}});
  std::ofstream(s.dir / "a.log") << std::string(20, 'z') << "\nshort\n";
  s.pump();
  auto got = s.bodies();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0] + got[1] + got[2], std::string(20, 'z'));
  EXPECT_EQ(got[3], "short");
  EXPECT_FALSE(fs::exists(s.dir / "a.log"));
  EXPECT_FALSE(fs::exists(s.dir / "a.log.COMPLETED"));
}

}  // namespace
}  // namespace sluice
