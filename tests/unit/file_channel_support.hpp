// Helpers for the file channel tests: open a channel on a temp directory, put numbered events, drain.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "channels/file_channel.hpp"
#include "test_support.hpp"

namespace sluice::test {

using Dir = test::TempDir;

inline std::unique_ptr<FileChannel> open_channel(const Dir& d, std::map<std::string, std::string> kv = {}) {
  kv.emplace("dataDirs", (d.p / "data").string());
  kv["checkpointDir"] = (d.p / "cp").string();
  kv.emplace("keep-alive", "0");
  kv.emplace("minimumRequiredSpace", "0");
  auto ctx = make_context(kv);
  auto ch = std::make_unique<FileChannel>("fc", ctx);
  ch->start();
  return ch;
}

inline void put(Channel& ch, int from, int to) {
  auto tx = ch.begin();
  for (int i = from; i < to; ++i) {
    Event e(std::to_string(i));
    e.headers.set("n", std::to_string(i));
    tx->put(std::move(e));
  }
  tx->commit();
}

inline std::vector<std::string> take_all(Channel& ch) {
  std::vector<std::string> out;
  for (auto& e : drain_events(ch)) out.push_back(e.body);
  return out;
}

inline std::vector<std::string> range(int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i < to; ++i) v.push_back(std::to_string(i));
  return v;
}

inline int64_t metric(Channel& ch, const std::string& name) {
  for (auto& [k, v] : ch.metrics()->snapshot())
    if (k == name) return std::stoll(v);
  return -1;
}

}  // namespace sluice::test
