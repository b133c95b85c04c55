// One file followed by TAILDIR, by inode: the descriptor stays open across renames and deletes,
// so a rotated file is read to its end. Two positions: committed (what the channel has accepted;
// saved in the position file) and read (what the current batch has consumed). A rollback goes back
// to committed; nothing is skipped.
#pragma once
#include <chrono>
#include <functional>
#include <cstdint>
#include <string>

#include "agent/event.hpp"

namespace sluice::taildir {

struct LineOptions {
  size_t max_line = 1 << 20;      // longer lines are delivered in pieces, each marked
  int64_t partial_timeout_ms = 0;  // 0: a last line without newline waits for it (as Flume)
};

class TailFile {
 public:
  // Opens path; throws std::runtime_error if it cannot be opened.
  TailFile(const std::string& path, uint64_t pos);
  ~TailFile();
  TailFile(const TailFile&) = delete;
  TailFile& operator=(const TailFile&) = delete;

  // Reads up to max_events lines from the read position. Each line becomes an event (no newline;
  // a trailing \r is dropped as Flume does); header_fn adds the per-file headers.
  size_t read_lines(Batch& out, size_t max_events, const LineOptions& o,
                    const std::function<void(Event&, uint64_t offset)>& header_fn);
  void commit() { committed_ = read_; }
  void rollback() {
    read_ = committed_;
    continuing_ = false;
  }

  uint64_t inode() const { return inode_; }
  uint64_t committed() const { return committed_; }
  const std::string& path() const { return path_; }
  void set_path(const std::string& p) { path_ = p; }
  // Current size of the open file (fstat), or -1.
  int64_t size() const;
  // The file was truncated below what was read (copytruncate): restart at 0. truncated_at() then
  // tells where reading had got to, and fingerprint() what the file began with before.
  bool check_truncated();
  uint64_t truncated_at() const { return truncated_at_; }
  // The first bytes of the file (up to 256), to recognise its copy after copytruncate.
  const std::string& fingerprint() const { return fingerprint_; }
  const std::string& previous_fingerprint() const { return previous_fingerprint_; }
  bool has_unread() const { return size() > static_cast<int64_t>(read_); }
  std::chrono::steady_clock::time_point last_growth() const { return last_growth_; }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t inode_ = 0;
  uint64_t committed_ = 0, read_ = 0;
  std::chrono::steady_clock::time_point last_growth_;
  std::chrono::steady_clock::time_point partial_since_{};
  uint64_t partial_at_ = UINT64_MAX;
  bool continuing_ = false;  // the last event was a piece of an over-long line
  uint64_t truncated_at_ = 0;
  std::string fingerprint_, previous_fingerprint_;
  void take_fingerprint();};

}  // namespace sluice::taildir
