// TAILDIR against real files in a temporary directory, driven pass by pass.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "channels/memory_channel.hpp"
#include "sources/taildir/position_file.hpp"
#include "sources/taildir_source.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using test::make_context;

struct Rig {
  fs::path dir;
  std::unique_ptr<MemoryChannel> ch;
  std::unique_ptr<TaildirSource> src;
  std::map<std::string, std::string> kv;
  Diagnostics diag;

  explicit Rig(std::map<std::string, std::string> extra = {}, size_t capacity = 100000, size_t txn = 100) {
    char t[] = "/tmp/sluice-taildir.XXXXXX";
    dir = mkdtemp(t);
    fs::create_directories(dir / "logs");
    auto cctx = make_context(
        {{"capacity", std::to_string(capacity)}, {"transactionCapacity", std::to_string(txn)}, {"keep-alive", "0"}});
    ch = std::make_unique<MemoryChannel>("c1", cctx);
    kv = {{"filegroups", "f1"},
          {"filegroups.f1", (dir / "logs").string() + "/access\\.log"},
          {"positionFile", (dir / "pos.json").string()},
          {"headers.f1.kind", "proxy"},
          {"fileHeader", "true"},
          {"idleTimeout", "0"}};
    for (auto& [k, v] : extra) kv[k] = v;
    make();
  }
  void make() {
    auto ctx = make_context(kv, &diag, "source r1 (type TAILDIR)", "a1.sources.r1.");
    src = std::make_unique<TaildirSource>("r1", ctx);
    auto sel = make_channel_selector(make_context({}), {ch.get()}, [&](const std::string&) { return ch.get(); });
    src->set_channel_processor(
        std::make_shared<ChannelProcessor>("r1", std::move(sel), std::vector<std::unique_ptr<Interceptor>>{}));
  }
  ~Rig() {
    src.reset();
    fs::remove_all(dir);
  }
  fs::path log() const { return dir / "logs/access.log"; }
  void append(const fs::path& p, const std::string& text) {
    std::ofstream o(p, std::ios::app);
    o << text;
  }
  std::vector<std::string> drain() {
    std::vector<std::string> out;
    while (true) {  // transactions hold at most transactionCapacity events
      auto tx = ch->begin();
      if (tx->take(100, false) == 0) break;
      for (auto& e : tx->taken()) out.push_back(e.body);
      tx->commit();
    }
    return out;
  }
  // Drives passes without the background thread.
  void pump(int passes = 3) {
    for (int i = 0; i < passes; ++i) {
      try {
        src->poll_once();
      } catch (const ChannelException&) {
      }
    }
  }
};

std::string lines(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += "line " + std::to_string(i) + "\n";
  return s;
}
std::vector<std::string> expected(int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i < to; ++i) v.push_back("line " + std::to_string(i));
  return v;
}

TEST(Taildir, ReadsLinesWithHeadersAndHoldsPartialLine) {
  Rig r;
  r.append(r.log(), lines(0, 3) + "partial");
  r.pump();
  auto tx = r.ch->begin();
  tx->take(10, false);
  ASSERT_EQ(tx->taken().size(), 3u);
  EXPECT_EQ(tx->taken()[0].headers.get("kind"), "proxy");
  EXPECT_EQ(tx->taken()[0].headers.get("file"), r.log().string());
  tx->commit();
  r.append(r.log(), " done\r\n");
  r.pump();
  EXPECT_EQ(r.drain(), (std::vector<std::string>{"partial done"}));
}

TEST(Taildir, RenameRotationToAnUnmatchedNameLosesNothing) {
  Rig r;
  r.append(r.log(), lines(0, 100));
  r.pump();
  // The writer appends more to the old file after it was renamed (before reopening), then to a new one.
  fs::rename(r.log(), r.dir / "logs/access.log.1");
  r.append(r.dir / "logs/access.log.1", lines(100, 150));
  r.append(r.log(), lines(150, 200));
  r.pump();
  auto got = r.drain();
  std::sort(got.begin(), got.end());
  auto want = expected(0, 200);
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

TEST(Taildir, CopyTruncateRestartsAtZeroAndReadsTheCopysTail) {
  Rig r;
  r.append(r.log(), lines(0, 50));
  r.pump();
  r.drain();
  r.append(r.log(), lines(50, 60));  // written after the last read, before the rotation
  fs::copy_file(r.log(), r.dir / "logs/access.log.1");
  fs::resize_file(r.log(), 0);
  r.append(r.log(), lines(60, 70));
  r.pump();
  auto got = r.drain();
  std::sort(got.begin(), got.end());
  auto want = expected(50, 70);
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);  // 50..59 come from the copy, 60..69 from the truncated file
}

TEST(Taildir, GracefulRestartResumesExactlyAndWritesFlumeFormat) {
  Rig r;
  r.append(r.log(), lines(0, 30));
  r.pump();
  r.src->write_positions();
  std::vector<taildir::Position> pos;
  std::string err;
  ASSERT_TRUE(taildir::load_positions((r.dir / "pos.json").string(), pos, err)) << err;
  ASSERT_EQ(pos.size(), 1u);
  struct stat st {};
  ::stat(r.log().c_str(), &st);
  EXPECT_EQ(pos[0].inode, st.st_ino);
  EXPECT_EQ(pos[0].pos, static_cast<uint64_t>(st.st_size));
  EXPECT_EQ(pos[0].file, r.log().string());
  r.src->stop();
  r.src.reset();
  r.append(r.log(), lines(30, 40));  // written while stopped
  r.make();
  r.src->start();
  r.src->stop();
  r.src.reset();
  r.make();
  r.src->start();
  std::vector<std::string> got;
  for (int i = 0; i < 100 && got.size() < 40; ++i) {
    auto more = r.drain();
    got.insert(got.end(), more.begin(), more.end());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  r.src->stop();
  EXPECT_EQ(got, expected(0, 40));  // 0..29 before the restarts, 30..39 after: none twice
}

TEST(Taildir, ResumesAFlumeMadePositionFile) {
  Rig r;
  r.append(r.log(), lines(0, 10));
  struct stat st {};
  ::stat(r.log().c_str(), &st);
  std::string first5 = lines(0, 5);
  std::ofstream(r.dir / "pos.json") << "[{\"inode\":" << st.st_ino << ",\"pos\":" << first5.size() << ",\"file\":\""
                                     << r.log().string() << "\"}]";
  r.src->start();
  std::vector<std::string> got;
  for (int i = 0; i < 100 && got.size() < 5; ++i) {
    auto more = r.drain();
    got.insert(got.end(), more.begin(), more.end());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  r.src->stop();
  EXPECT_EQ(got, expected(5, 10));
}

TEST(Taildir, CorruptPositionFileIsReportedAndIgnored) {
  Rig r;
  std::ofstream(r.dir / "pos.json") << "this is not json";
  r.append(r.log(), lines(0, 3));
  r.src->start();
  std::vector<std::string> got;
  for (int i = 0; i < 100 && got.size() < 3; ++i) {
    auto more = r.drain();
    got.insert(got.end(), more.begin(), more.end());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  r.src->stop();
  EXPECT_EQ(got, expected(0, 3));
}

TEST(Taildir, FullChannelRereadsWithoutLossOrDuplicates) {
  Rig r({{"batchSize", "10"}}, 25);
  r.append(r.log(), lines(0, 200));
  std::vector<std::string> got;
  for (int i = 0; i < 100 && got.size() < 200; ++i) {
    r.pump(1);
    auto more = r.drain();
    got.insert(got.end(), more.begin(), more.end());
  }
  EXPECT_EQ(got, expected(0, 200));
}

TEST(Taildir, LongLinesArriveInMarkedPiecesAndSkipToEnd) {
  Rig r({{"maxLineLength", "16"}, {"skipToEnd", "true"}});
  r.append(r.log(), "old line before start\n");
  r.pump();
  EXPECT_TRUE(r.drain().empty());
  r.append(r.log(), std::string(40, 'x') + "\nshort\n");
  r.pump();
  auto tx = r.ch->begin();
  tx->take(10, false);
  ASSERT_EQ(tx->taken().size(), 4u);
  EXPECT_EQ(tx->taken()[0].body + tx->taken()[1].body + tx->taken()[2].body, std::string(40, 'x'));
  EXPECT_EQ(tx->taken()[2].headers.get("taildir.split"), "true");
  EXPECT_EQ(tx->taken()[3].body, "short");
  EXPECT_FALSE(tx->taken()[3].headers.contains("taildir.split"));
  tx->commit();
}

TEST(Taildir, LinesAcrossReadChunksArriveWholeAndInOrder) {
  // ~1.3 MB of lines of varying length, some CRLF: one pass reads several 256 KiB chunks and lines
  // straddle chunk boundaries.
  Rig r({{"batchSize", "100000"}}, 200000, 100000);
  std::string text;
  std::vector<std::string> want;
  for (int i = 0; i < 20000; ++i) {
    want.push_back("line " + std::to_string(i) + " " + std::string(static_cast<size_t>(i % 113), 'a' + i % 26));
    text += want.back() + (i % 7 == 0 ? "\r\n" : "\n");
  }
  r.append(r.log(), text);
  r.pump(1);
  EXPECT_EQ(r.drain(), want);
}

TEST(Taildir, PartialLineGoesAfterPartialLineTimeout) {
  Rig r(std::map<std::string, std::string>{{"partialLineTimeout", "50"}});
  r.append(r.log(), "first\nlast without newline");
  r.pump(1);
  EXPECT_EQ(r.drain(), (std::vector<std::string>{"first"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  r.pump(1);
  auto tx = r.ch->begin();
  ASSERT_EQ(tx->take(10, false), 1u);
  EXPECT_EQ(tx->taken()[0].body, "last without newline");
  EXPECT_EQ(tx->taken()[0].headers.get("taildir.partial"), "true");
  tx->commit();
  r.append(r.log(), "\nnext\n");  // the newline of the line already sent ends an empty rest
  r.pump(1);
  EXPECT_EQ(r.drain(), (std::vector<std::string>{"", "next"}));
}

// Bad input on disk: a binary file, a file deleted and a new one made (possibly reusing its inode),
// a group directory that disappears and comes back. No crash, the other group keeps flowing.
TEST(Taildir, BinaryDeletedAndVanishingDirectoryDoNotStopTheRest) {
  Rig r({{"filegroups", "f1 f2"}, {"filegroups.f2", "@DIR@/other/app\\.log"}});
  fs::create_directories(r.dir / "other");
  r.kv["filegroups.f2"] = (r.dir / "other").string() + "/app\\.log";
  r.make();
  r.append(r.log(), std::string("bin\0ary\x01\xff\n", 10) + lines(0, 3));
  r.append(r.dir / "other/app.log", "other 0\n");
  r.pump();
  auto got = r.drain();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0], std::string("bin\0ary\x01\xff", 9));  // bytes as they are, one event
  fs::remove(r.log());                                        // deleted...
  r.pump();
  r.append(r.log(), lines(10, 12));                          // ...and made again
  fs::remove_all(r.dir / "other");                           // a group directory vanishes
  r.pump();
  got = r.drain();
  EXPECT_EQ(got, expected(10, 12));
  fs::create_directories(r.dir / "other");                   // and comes back with a new file
  r.append(r.dir / "other/app.log", "other 1\n");
  r.pump();
  EXPECT_EQ(r.drain(), (std::vector<std::string>{"other 1"}));
  // Names that match but cannot be read as files (running as root, permissions cannot make a file
  // unreadable here): a directory and a dangling symlink. Skipped, the rest flows.
  fs::remove_all(r.dir / "other");
  fs::create_directories(r.dir / "other/app.log");
  fs::remove(r.log());
  fs::create_symlink(r.dir / "nowhere", r.log());
  r.pump();
  EXPECT_TRUE(r.drain().empty());
  fs::remove(r.log());
  r.append(r.log(), lines(20, 21));
  r.pump();
  EXPECT_EQ(r.drain(), expected(20, 21));
}

TEST(Taildir, ConfigErrors) {
  Diagnostics d;
  auto ctx = make_context({{"filegroups", "f1 f2"}, {"filegroups.f1", "/var/log/(unclosed"}}, &d, "source r1",
                          "a1.sources.r1.");
  TaildirSource s("r1", ctx);
  std::string out = d.format();
  EXPECT_NE(out.find("a1.sources.r1.filegroups.f1: '(unclosed' is not a valid regex"), std::string::npos) << out;
  EXPECT_NE(out.find("a1.sources.r1.filegroups.f2: is required"), std::string::npos) << out;
}

}  // namespace
}  // namespace sluice
