// The file channel's log writer: group commit (shared fsyncs), failed fsyncs, directories round robin.
#include "channels/log_writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

#include "agent/channel.hpp"
#include "channels/wal.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using Dir = test::TempDir;

std::string record(uint64_t tx) {
  std::string r;
  wal::append_record(r, wal::RecordType::Put, tx, tx, "payload");
  wal::append_record(r, wal::RecordType::Commit, tx, 0);
  return r;
}

TEST(LogWriter, ConcurrentWaitersShareOneFsync) {
  Dir d;
  Counter fsyncs;
  LogWriter w("t", {d.p.string()}, 1 << 20, fsyncs, [](int fd) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));  // a slow disk: others queue up meanwhile
    return ::fdatasync(fd);
  });
  w.open({}, 0);
  constexpr int kThreads = 8;
  std::atomic<bool> go{false};
  std::atomic<int> ok{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < kThreads; ++i)
    ts.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      auto pos = w.append(record(static_cast<uint64_t>(i + 1)), 1);
      w.wait_durable(pos, 1);
      ++ok;
    });
  go = true;
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok, kThreads);
  EXPECT_LT(fsyncs.get(), kThreads);
  EXPECT_GE(fsyncs.get(), 1);
}

TEST(LogWriter, AFailedFsyncFailsEveryCommitItCoveredAndTheDirMovesToANewFile) {
  Dir d;
  Counter fsyncs;
  std::atomic<int> calls{0};
  LogWriter w("t", {d.p.string()}, 1 << 20, fsyncs, [&](int fd) {
    if (calls++ == 0) {
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  });
  w.open({}, 0);
  auto a = w.append(record(1), 1);
  auto b = w.append(record(2), 1);  // written before a's fsync starts: that fsync covers it
  EXPECT_THROW(w.wait_durable(a, 1), ChannelException);
  // b's bytes were covered by the failed fsync: b fails too, even though a later fsync would succeed
  EXPECT_THROW(w.wait_durable(b, 1), ChannelException);
  auto c = w.append(record(3), 1);
  EXPECT_NE(c.file, a.file) << "after a failed fsync the directory writes a new file";
  EXPECT_NO_THROW(w.wait_durable(c, 1));
  EXPECT_EQ(calls, 2);
}

TEST(LogWriter, ConcurrentCommitsAllFailWhenEveryFsyncFails) {
  Dir d;
  Counter fsyncs;
  LogWriter w("t", {d.p.string()}, 1 << 20, fsyncs, [](int) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    errno = EIO;
    return -1;
  });
  w.open({}, 0);
  std::atomic<int> succeeded{0}, failed{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 6; ++i)
    ts.emplace_back([&, i] {
      for (int k = 0; k < 5; ++k) {
        try {
          auto pos = w.append(record(static_cast<uint64_t>(i * 10 + k + 1)), 1);
          w.wait_durable(pos, 1);
          ++succeeded;
        } catch (const ChannelException&) {
          ++failed;
        }
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(succeeded, 0);
  EXPECT_EQ(failed, 30);
}

TEST(LogWriter, AppendsGoRoundRobinOverTheDirectoriesWithGlobalFileNumbers) {
  Dir d;
  Counter fsyncs;
  std::string a = (d.p / "a").string(), b = (d.p / "b").string();
  std::filesystem::create_directories(a);
  std::filesystem::create_directories(b);
  LogWriter w("t", {a, b}, 1 << 20, fsyncs);
  w.open({}, 7);  // files up to 7 exist elsewhere
  auto p1 = w.append(record(1), 1);
  auto p2 = w.append(record(2), 1);
  EXPECT_NE(p1.dir, p2.dir);
  EXPECT_NE(p1.file, p2.file);
  EXPECT_GT(p1.file, 7u);
  EXPECT_GT(p2.file, 7u);
  w.wait_durable(p1, 1);
  w.wait_durable(p2, 1);
  EXPECT_EQ(wal::log_files(a).size(), 1u);
  EXPECT_EQ(wal::log_files(b).size(), 1u);
}

}  // namespace
}  // namespace sluice
