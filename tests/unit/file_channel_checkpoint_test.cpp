// File channel checkpoints: replay starts at the checkpoint, dual checkpoints, fallbacks, consistency
// while commits run.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "channels/checkpoint.hpp"
#include "channels/wal.hpp"
#include "file_channel_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace test;  // Dir, open_channel, put, take_all, range

// Breaks the first take record of the (only) log file of dir: a replay that reads it stops there.
void corrupt_first_take(const std::string& dir) {
  auto files = wal::log_files(dir);
  ASSERT_FALSE(files.empty());
  std::string path = wal::log_path(dir, files.front());
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), {});
  for (size_t off = 0; off + 25 <= data.size();) {
    uint32_t len = 0;
    for (int i = 0; i < 4; ++i) len |= static_cast<uint32_t>(static_cast<uint8_t>(data[off + 21 + i])) << (8 * i);
    if (data[off + 4] == static_cast<char>(wal::RecordType::Take)) {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(off + 6));
      f.put('\x55');
      return;
    }
    off += 25 + len + 4;
  }
  FAIL() << "no take record in " << path;
}

// Events 0..9 put, 0..4 taken, a checkpoint, 10..14 put; then the process dies.
void fill_and_checkpoint(const Dir& d, std::map<std::string, std::string> kv = {}) {
  auto ch = open_channel(d, kv);
  put(*ch, 0, 10);
  auto tx = ch->begin();
  tx->take(5, false);
  tx->commit();
  ASSERT_TRUE(ch->write_checkpoint());
  put(*ch, 10, 15);
}

TEST(FileChannelCheckpoint, ReplayReadsOnlyTheLogAfterTheCheckpoint) {
  Dir d;
  fill_and_checkpoint(d);
  corrupt_first_take((d.p / "data").string());  // before the checkpoint: not read again
  {
    auto ch = open_channel(d);
    auto tx = ch->begin();
    tx->take(100, false);
    std::vector<std::string> got;
    for (auto& e : tx->taken()) got.push_back(e.body);
    EXPECT_EQ(got, range(5, 15));
    EXPECT_EQ(tx->taken()[0].headers.get("n"), "5");
    tx->rollback();  // kept: the corrupt file stays for the check below
  }
  fs::remove(checkpoint::path((d.p / "cp").string()));
  EXPECT_THROW(open_channel(d), wal::CorruptLog) << "without the checkpoint the whole log is read";
}

TEST(FileChannelCheckpoint, DualCheckpointsWriteBothAndTheBackupReplacesABadPrimary) {
  Dir d;
  std::string primary = (d.p / "cp").string(), backup = (d.p / "backup").string();
  std::map<std::string, std::string> kv{{"useDualCheckpoints", "true"}, {"backupCheckpointDir", backup}};
  fill_and_checkpoint(d, kv);
  EXPECT_TRUE(fs::exists(checkpoint::path(primary)));
  EXPECT_TRUE(fs::exists(checkpoint::path(backup)));
  EXPECT_FALSE(fs::exists(checkpoint::path(primary) + ".tmp"));
  std::ofstream(checkpoint::path(primary), std::ios::binary | std::ios::trunc) << "garbage";
  corrupt_first_take((d.p / "data").string());
  EXPECT_EQ(take_all(*open_channel(d, kv)), range(5, 15));
}

TEST(FileChannelCheckpoint, ABadCheckpointFallsBackToTheWholeLog) {
  Dir d;
  fill_and_checkpoint(d);
  std::string cp = checkpoint::path((d.p / "cp").string());
  std::string data;
  {
    std::ifstream in(cp, std::ios::binary);
    data.assign((std::istreambuf_iterator<char>(in)), {});
  }
  data[data.size() / 2] ^= 0x20;
  std::ofstream(cp, std::ios::binary | std::ios::trunc) << data;
  EXPECT_THROW(checkpoint::read((d.p / "cp").string()), std::runtime_error);
  EXPECT_EQ(take_all(*open_channel(d)), range(5, 15));
}

TEST(FileChannelCheckpoint, EventsTakenAfterTheCheckpointStayGoneWhenTheirFilesWereDeleted) {
  Dir d;
  std::map<std::string, std::string> kv{{"maxFileSize", "1024"}};
  {
    auto ch = open_channel(d, kv);
    for (int i = 0; i < 20; ++i) put(*ch, i * 10, i * 10 + 10);
    ASSERT_TRUE(ch->write_checkpoint());  // lists all 200 events
    take_all(*ch);
    put(*ch, 900, 901);  // a new file: the consumed ones are deleted
    EXPECT_LE(wal::log_files((d.p / "data").string()).size(), 2u);
  }
  EXPECT_EQ(take_all(*open_channel(d, kv)), range(900, 901));
}

TEST(FileChannelCheckpoint, EventsWhoseFilesAndTakeRecordsWereDeletedAfterTheCheckpointAreConsumed) {
  // The checkpoint lists events of the first files; they are taken afterwards, and the log rolls on
  // until the files holding both their puts and their take records are deleted. Replay must start at
  // the checkpoint (not fall back to the whole log, which with several dataDirs can bring back events
  // whose take record was in a deleted file of another directory) and find nothing of them.
  Dir d;
  std::map<std::string, std::string> kv{{"maxFileSize", "1024"}};
  {
    auto ch = open_channel(d, kv);
    for (int i = 0; i < 20; ++i) put(*ch, i * 10, i * 10 + 10);
    ASSERT_TRUE(ch->write_checkpoint());
    take_all(*ch);
    for (int i = 0; i < 30; ++i) {  // roll past the file with the take records
      put(*ch, 1000 + i * 10, 1010 + i * 10);
      take_all(*ch);
    }
    put(*ch, 2000, 2001);
  }
  std::string data = (d.p / "data").string();
  auto cp = checkpoint::read((d.p / "cp").string());
  ASSERT_TRUE(cp);
  ASSERT_FALSE(cp->live.empty());
  ASSERT_GT(wal::log_files(data).front(), cp->live.back().file) << "the listed events' files are gone";
  wal::Replayed r = wal::replay({data}, false, &*cp);
  ASSERT_EQ(r.live.size(), 1u);
  EXPECT_EQ(r.live.begin()->second.event.body, "2000");
  EXPECT_EQ(take_all(*open_channel(d, kv)), range(2000, 2001));
}

TEST(FileChannelCheckpoint, AListedFileMissingAmongNewerOnesIsStillAnError) {
  Dir d;
  std::map<std::string, std::string> kv{{"maxFileSize", "1024"}};
  {
    auto ch = open_channel(d, kv);
    for (int i = 0; i < 5; ++i) put(*ch, i * 10, i * 10 + 10);
    ASSERT_TRUE(ch->write_checkpoint());
  }
  std::string data = (d.p / "data").string();
  auto files = wal::log_files(data);
  ASSERT_GE(files.size(), 3u);
  fs::remove(wal::log_path(data, files[1]));  // not consumed: lost by someone else
  auto cp = checkpoint::read((d.p / "cp").string());
  EXPECT_THROW(wal::replay({data}, false, &*cp), wal::CorruptLog);
}

TEST(FileChannelCheckpoint, WrittenOnStopAndEveryInterval) {
  Dir d;
  std::string cp = checkpoint::path((d.p / "cp").string());
  {
    auto ch = open_channel(d, {{"checkpointInterval", "0"}});
    put(*ch, 0, 3);
    EXPECT_FALSE(fs::exists(cp));
    ch->stop();
    EXPECT_TRUE(fs::exists(cp));
    EXPECT_EQ(checkpoint::read((d.p / "cp").string())->live.size(), 3u);
  }
  fs::remove(cp);
  auto ch = open_channel(d, {{"checkpointInterval", "20"}});
  for (int i = 0; i < 200 && !fs::exists(cp); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(fs::exists(cp));
}

// Checkpoints taken while putters and takers commit: whatever moment the process dies at, every
// committed put not take-committed comes back exactly once.
TEST(FileChannelCheckpoint, CheckpointsWhileCommittingLoseAndDuplicateNothing) {
  Dir d;
  std::set<std::string> taken;
  std::mutex taken_mu;
  {
    auto ch = open_channel(d, {{"dataDirs", (d.p / "a").string() + "," + (d.p / "b").string()}});
    std::atomic<bool> putting{true};
    std::vector<std::thread> putters, others;
    for (int t = 0; t < 4; ++t)
      putters.emplace_back([&, t] {
        for (int b = 0; b < 50; ++b) put(*ch, (t * 50 + b) * 10, (t * 50 + b) * 10 + 10);
      });
    for (int t = 0; t < 2; ++t)
      others.emplace_back([&] {
        while (putting) {
          auto tx = ch->begin();
          tx->take(7, false);
          std::vector<std::string> got;
          for (auto& e : tx->taken()) got.push_back(e.body);
          tx->commit();
          std::lock_guard l(taken_mu);
          taken.insert(got.begin(), got.end());
        }
      });
    int checkpoints = 0;
    others.emplace_back([&] {
      while (putting) {
        EXPECT_TRUE(ch->write_checkpoint());
        ++checkpoints;
      }
    });
    for (auto& t : putters) t.join();
    putting = false;
    for (auto& t : others) t.join();
    EXPECT_GT(checkpoints, 0);
    ch->write_checkpoint();
    put(*ch, 5000, 5010);  // after the last checkpoint
  }  // dies here: replay = last checkpoint + the log after it
  auto got = take_all(*open_channel(d, {{"dataDirs", (d.p / "a").string() + "," + (d.p / "b").string()}}));
  std::set<std::string> unique(got.begin(), got.end());
  EXPECT_EQ(unique.size(), got.size()) << "duplicates after replay";
  std::set<std::string> expected;
  for (int i = 0; i < 2000; ++i)
    if (!taken.count(std::to_string(i))) expected.insert(std::to_string(i));
  for (int i = 5000; i < 5010; ++i) expected.insert(std::to_string(i));
  EXPECT_EQ(unique, expected);
}

TEST(FileChannelCheckpoint, DualCheckpointsNeedADifferentBackupDir) {
  for (auto backup : {std::string(), std::string("/tmp/same")}) {
    Diagnostics diag;
    auto ctx = make_context({{"checkpointDir", "/tmp/same"}, {"useDualCheckpoints", "true"}, {"backupCheckpointDir", backup}},
                            &diag);
    FileChannel ch("fc", ctx);
    EXPECT_TRUE(diag.has_errors()) << "backupCheckpointDir '" << backup << "'";
    EXPECT_NE(diag.format().find("backupCheckpointDir"), std::string::npos) << diag.format();
  }
}

}  // namespace
}  // namespace sluice
