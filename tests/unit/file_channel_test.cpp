// The durable file channel: replay after restart, torn tails, corruption, log cleanup, bounds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "channels/file_channel.hpp"
#include "channels/wal.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using test::make_context;

using Dir = test::TempDir;

std::unique_ptr<FileChannel> open_channel(const Dir& d, std::map<std::string, std::string> kv = {}) {
  kv["dataDirs"] = (d.p / "data").string();
  kv["checkpointDir"] = (d.p / "cp").string();
  kv.emplace("keep-alive", "0");
  kv.emplace("minimumRequiredSpace", "0");
  auto ctx = make_context(kv);
  auto ch = std::make_unique<FileChannel>("fc", ctx);
  ch->start();
  return ch;
}

void put(Channel& ch, int from, int to) {
  auto tx = ch.begin();
  for (int i = from; i < to; ++i) {
    Event e(std::to_string(i));
    e.headers.set("n", std::to_string(i));
    tx->put(std::move(e));
  }
  tx->commit();
}

std::vector<std::string> take_all(Channel& ch) {
  std::vector<std::string> out;
  for (auto& e : test::drain_events(ch)) out.push_back(e.body);
  return out;
}

std::vector<std::string> range(int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i < to; ++i) v.push_back(std::to_string(i));
  return v;
}

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

}  // namespace
}  // namespace sluice
