// Flume type: TAILDIR (org.apache.flume.source.taildir.TaildirSource)
// Keys (Flume's): filegroups (required), filegroups.<g> (directory + '/' + filename regex),
// headers.<g>.<key>, positionFile (~/.flume/taildir_position.json), fileHeader (false),
// fileHeaderKey (file), byteOffsetHeader (false; header `byteoffset`), skipToEnd (false),
// idleTimeout (120000 ms), writePosInterval (3000 ms), batchSize (100), maxBatchCount (unbounded),
// backoffSleepIncrement (1000), maxBackoffSleep (5000), cachePatternMatching (true; accepted);
// sluice: maxLineLength (1 MiB; longer lines go in pieces with header taildir.split=true),
// partialLineTimeout (0 ms = a last line waits for its newline, as in Flume).
// Follows files by inode with the descriptor kept open, so a file renamed away by rotation (even to
// a name the pattern does not match — where Flume stops and loses its tail) is read to its end;
// copytruncate is detected (size below the position) and reading restarts at 0. Positions advance
// only after the channel accepted the batch: at-least-once across crashes, exactly-once across a
// graceful restart. inotify wakes the source on changes; polling is the fallback.
#pragma once
#include <atomic>
#include <map>
#include <memory>
#include <re2/re2.h>
#include <thread>

#include "agent/source.hpp"
#include "sources/taildir/position_file.hpp"
#include "sources/taildir/tail_file.hpp"

namespace sluice {

class TaildirSource : public Source {
 public:
  TaildirSource(const std::string& name, Context& ctx);
  ~TaildirSource() override;
  void start() override;
  void stop() override;
  // One pass: scan, read and deliver. True if any event was delivered. (Tests drive this.)
  bool poll_once();
  void write_positions();

 private:
  struct Group {
    std::string name, dir;
    std::unique_ptr<RE2> pattern;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  struct Tracked {
    std::unique_ptr<taildir::TailFile> file;
    size_t group;
    bool matched = true;  // still found under a name the group's pattern matches
  };
  void run();
  void scan();
  void track(const std::string& path, size_t group, bool matched, uint64_t start_pos);
  bool deliver_file(Tracked& t);
  void follow_copy(const taildir::TailFile& truncated, size_t group);
  void setup_watches();

  std::vector<Group> groups_;
  std::string position_path_;
  bool file_header_, offset_header_, skip_to_end_;
  std::string file_header_key_;
  int64_t idle_timeout_ms_, write_pos_ms_, backoff_inc_ms_, max_backoff_ms_;
  size_t batch_size_;
  int64_t max_batch_count_;
  taildir::LineOptions line_;
  std::map<uint64_t, Tracked> files_;
  std::vector<taildir::Position> saved_;  // loaded at start, consumed as files are found
  int inotify_fd_ = -1;
  std::vector<int> watches_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::chrono::steady_clock::time_point last_pos_write_;
  RateLimit warn_;
};

}  // namespace sluice
