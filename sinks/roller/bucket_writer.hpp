// One open file of the roller, as Flume's BucketWriter: named <prefix>.<counter><suffix>, the counter
// starting at the writer's creation time in ms and incremented for every new file (unique in the process:
// a number another writer already took is skipped); written under
// <inUsePrefix>name<inUseSuffix> and renamed when closed. Rolls before an append once rollCount
// events or rollSize body bytes are reached, and on rollInterval / idleTimeout (checked by tick()).
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "sinks/backends/storage.hpp"
#include "sinks/roller/file_format.hpp"

namespace sluice::roller {

struct RollOptions {
  std::string in_use_prefix, in_use_suffix = ".tmp", file_suffix;
  int64_t roll_interval_s = 30, roll_size = 1024, roll_count = 10, idle_timeout_s = 0;
  FormatOptions format;
  std::string default_extension;  // the codec's extension (".gz") used when fileSuffix is empty
};

class BucketWriter {
 public:
  // dir: the resolved directory; prefix: the resolved file prefix.
  BucketWriter(std::string dir, std::string prefix, const RollOptions& o, storage::Storage& s,
               std::function<std::unique_ptr<EventSerializer>()> make_serializer);
  ~BucketWriter();
  void append(const Event& e);
  void sync();
  // Closes the file if rollInterval passed since it opened. True if the writer went idle past
  // idleTimeout (the caller then drops it).
  bool tick(std::chrono::steady_clock::time_point now);
  void close();
  bool is_open() const { return writer_ != nullptr; }
  const std::string& current_target() const { return target_; }
  uint64_t files_closed() const { return files_closed_; }

 private:
  void open(const Headers& opening_event);

  std::string dir_, prefix_;
  const RollOptions& o_;
  storage::Storage& storage_;
  std::function<std::unique_ptr<EventSerializer>()> make_serializer_;
  int64_t counter_;
  std::unique_ptr<FileWriter> writer_;
  std::string in_use_, target_;
  int64_t events_ = 0, bytes_ = 0;
  std::chrono::steady_clock::time_point opened_, last_write_;
  bool dirty_ = false;
  uint64_t files_closed_ = 0;
};

}  // namespace sluice::roller
