// The durable file channel: replay after restart, torn tails, corruption, log cleanup, bounds.
#include <gtest/gtest.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "agent/avro/flume_event.hpp"
#include "channels/file_channel.hpp"
#include "channels/wal.hpp"
#include "file_channel_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace test;  // Dir, open_channel, put, take_all, range, metric

TEST(FileChannel, CommittedEventsSurviveARestartTakenOnesDoNot) {
  Dir d;
  {
    auto ch = open_channel(d);
    put(*ch, 0, 50);
    auto tx = ch->begin();
    tx->take(20, false);
    tx->commit();  // 0..19 are gone for good
    auto open = ch->begin();
    open->put(Event("never committed"));
    // no commit: the process "dies" with this transaction open
  }
  auto ch = open_channel(d);
  EXPECT_EQ(ch->size(), 30u);
  auto tx = ch->begin();
  tx->take(1, false);
  EXPECT_EQ(tx->taken()[0].headers.get("n"), "20");  // headers survive too
  tx->rollback();
  EXPECT_EQ(take_all(*ch), range(20, 50));
}

TEST(FileChannel, RolledBackTakesStayAndOrderIsKept) {
  Dir d;
  auto ch = open_channel(d);
  put(*ch, 0, 10);
  {
    auto tx = ch->begin();
    tx->take(4, false);
    tx->rollback();
  }
  { auto tx = ch->begin(); tx->take(3, false); }  // destroyed without commit: rolled back
  EXPECT_EQ(take_all(*ch), range(0, 10));
}

TEST(FileChannel, TornTailIsTruncatedOnStart) {
  Dir d;
  { auto ch = open_channel(d); put(*ch, 0, 5); }
  auto logs = wal::log_files((d.p / "data").string());
  ASSERT_FALSE(logs.empty());
  std::string last = wal::log_path((d.p / "data").string(), logs.back());
  std::string partial;
  wal::append_record(partial, wal::RecordType::Put, 99, 99, "half");
  std::ofstream(last, std::ios::app | std::ios::binary) << partial.substr(0, partial.size() / 2);
  auto ch = open_channel(d);
  EXPECT_EQ(take_all(*ch), range(0, 5));
}

TEST(FileChannel, CorruptionInTheMiddleStopsUnlessSkipped) {
  Dir d;
  { auto ch = open_channel(d); put(*ch, 0, 3); put(*ch, 3, 6); }
  auto logs = wal::log_files((d.p / "data").string());
  std::string path = wal::log_path((d.p / "data").string(), logs.front());
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30);
    f.put('\x7f');  // inside the first record's payload
  }
  Context::Values v;
  try {
    open_channel(d);
    FAIL() << "a corrupt log must stop the channel";
  } catch (const wal::CorruptLog& e) {
    EXPECT_NE(std::string(e.what()).find("at offset 0"), std::string::npos) << e.what();
  }
  auto ch = open_channel(d, {{"skipCorruptRecords", "true"}});
  auto got = take_all(*ch);
  EXPECT_EQ(got, range(1, 6));  // only the corrupt record (event 0) is lost
}

TEST(FileChannel, FullyTakenLogFilesAreDeleted) {
  Dir d;
  auto ch = open_channel(d, {{"maxFileSize", "1024"}});
  for (int i = 0; i < 20; ++i) put(*ch, i * 10, i * 10 + 10);
  EXPECT_GT(wal::log_files((d.p / "data").string()).size(), 3u);
  take_all(*ch);
  put(*ch, 900, 901);  // a new file after the takes
  take_all(*ch);
  EXPECT_LE(wal::log_files((d.p / "data").string()).size(), 2u);
  ch.reset();
  auto again = open_channel(d, {{"maxFileSize", "1024"}});
  EXPECT_EQ(again->size(), 0u);  // nothing taken comes back
}

TEST(FileChannel, CapacityAndDiskSpaceRefusePuts) {
  Dir d;
  auto ch = open_channel(d, {{"capacity", "5"}, {"transactionCapacity", "5"}});
  put(*ch, 0, 5);
  EXPECT_THROW(put(*ch, 5, 6), ChannelException);
  Dir d2;
  auto full = open_channel(d2, {{"minimumRequiredSpace", "9000000000000000"}});
  EXPECT_THROW(put(*full, 0, 1), ChannelException);
  EXPECT_EQ(full->size(), 0u);
}

TEST(FileChannel, ConcurrentCommitsShareFsyncsAndAllSurvive) {
  Dir d;
  constexpr int kThreads = 8, kCommits = 25, kPerCommit = 20;
  {
    auto ch = open_channel(d);
    int64_t before = metric(*ch, "FsyncCount");
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t)
      ts.emplace_back([&, t] {
        for (int c = 0; c < kCommits; ++c) {
          int from = (t * kCommits + c) * kPerCommit;
          put(*ch, from, from + kPerCommit);
        }
      });
    for (auto& t : ts) t.join();
    int64_t fsyncs = metric(*ch, "FsyncCount") - before;
    EXPECT_GT(fsyncs, 0);
    EXPECT_LT(fsyncs, kThreads * kCommits) << "concurrent commits must share fsyncs";
  }
  auto ch = open_channel(d);
  auto got = take_all(*ch);
  std::set<std::string> unique(got.begin(), got.end());
  EXPECT_EQ(got.size(), static_cast<size_t>(kThreads * kCommits * kPerCommit));
  EXPECT_EQ(unique.size(), got.size());
}

TEST(FileChannel, SeveralDataDirsAreAllWrittenAndReplayed) {
  Dir d;
  std::string a = (d.p / "a").string(), b = (d.p / "b").string();
  std::map<std::string, std::string> kv{{"dataDirs", a + " , " + b}};
  {
    auto ch = open_channel(d, kv);
    for (int i = 0; i < 10; ++i) put(*ch, i * 10, i * 10 + 10);
    auto tx = ch->begin();
    tx->take(25, false);
    tx->commit();
  }
  auto in_a = wal::log_files(a), in_b = wal::log_files(b);
  ASSERT_FALSE(in_a.empty());
  ASSERT_FALSE(in_b.empty());
  for (auto n : in_a) EXPECT_EQ(std::count(in_b.begin(), in_b.end(), n), 0) << "file numbers are global";
  auto ch = open_channel(d, kv);
  EXPECT_EQ(take_all(*ch), range(25, 100));
}

TEST(FileChannel, ConsumedFilesAreDeletedInEveryDataDir) {
  Dir d;
  std::string a = (d.p / "a").string(), b = (d.p / "b").string();
  std::map<std::string, std::string> kv{{"dataDirs", a + "," + b}, {"maxFileSize", "1024"}};
  auto ch = open_channel(d, kv);
  for (int i = 0; i < 40; ++i) put(*ch, i * 10, i * 10 + 10);
  EXPECT_GT(wal::log_files(a).size(), 3u);
  EXPECT_GT(wal::log_files(b).size(), 3u);
  take_all(*ch);
  for (int i = 0; i < 4; ++i) put(*ch, 900 + i, 901 + i);  // new files in both after the takes
  take_all(*ch);
  EXPECT_LE(wal::log_files(a).size(), 2u);
  EXPECT_LE(wal::log_files(b).size(), 2u);
  ch.reset();
  EXPECT_EQ(open_channel(d, kv)->size(), 0u);
}

// Logs of the single-directory layout (log-<n> in the one dataDir, as written before dataDirs were
// spread) stay readable when more directories are added after it.
TEST(FileChannel, SingleDirLogsReplayWhenMoreDataDirsAreAdded) {
  Dir d;
  std::string old_dir = (d.p / "data").string(), added = (d.p / "data2").string();
  fs::create_directories(old_dir);
  std::string rec;
  for (uint64_t id = 1; id <= 3; ++id) {
    Event e("old" + std::to_string(id));
    wal::append_record(rec, wal::RecordType::Put, 1, id, avro::encode_flume_event(e));
  }
  wal::append_record(rec, wal::RecordType::Commit, 1, 0);
  wal::append_record(rec, wal::RecordType::Take, 2, 1);
  wal::append_record(rec, wal::RecordType::Commit, 2, 0);
  std::ofstream(wal::log_path(old_dir, 1), std::ios::binary) << rec;
  std::map<std::string, std::string> kv{{"dataDirs", old_dir + "," + added}};
  {
    auto ch = open_channel(d, kv);
    put(*ch, 0, 2);
    put(*ch, 2, 4);
  }
  EXPECT_FALSE(wal::log_files(added).empty());
  auto ch = open_channel(d, kv);
  EXPECT_EQ(take_all(*ch), (std::vector<std::string>{"old2", "old3", "0", "1", "2", "3"}));
  put(*ch, 5, 6);
  take_all(*ch);
  EXPECT_FALSE(fs::exists(wal::log_path(old_dir, 1))) << "the old file is deleted once consumed";
}

int64_t free_bytes(const std::string& dir) {
  struct statvfs v {};
  if (::statvfs(dir.c_str(), &v) != 0) return -1;
  return static_cast<int64_t>(v.f_bavail) * static_cast<int64_t>(v.f_frsize);
}

// minimumRequiredSpace holds for every dataDir, not only the first: needs two file systems with
// clearly different free space (/tmp and the tmpfs /dev/shm here), else skipped.
TEST(FileChannel, MinimumRequiredSpaceIsCheckedInEveryDataDir) {
  Dir d;
  std::error_code ec;
  fs::path shm = "/dev/shm/sluice-unit-" + std::to_string(::getpid());
  fs::create_directories(shm, ec);
  if (ec) GTEST_SKIP() << "no /dev/shm";
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(p, e);
    }
  } cleanup{shm};
  int64_t big = free_bytes(d.p.string()), small = free_bytes(shm.string());
  if (big < 0 || small < 0 || big < small + (1 << 30)) GTEST_SKIP() << "/tmp has not clearly more free space than /dev/shm";
  std::string between = std::to_string(small + (big - small) / 2);
  auto ch = open_channel(d, {{"dataDirs", (d.p / "data").string() + "," + shm.string()},
                             {"minimumRequiredSpace", between}});
  try {
    put(*ch, 0, 1);
    FAIL() << "the second dataDir has less than minimumRequiredSpace free";
  } catch (const ChannelException& e) {
    EXPECT_NE(std::string(e.what()).find(shm.string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(ch->size(), 0u);
}

}  // namespace
}  // namespace sluice
