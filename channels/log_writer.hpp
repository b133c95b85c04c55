// The file channel's log files, spread over its dataDirs and written with group commit.
// Each directory has one active file; a transaction's records go to one directory (round robin) in one
// write. Committers of a directory share fsyncs: the first to wait syncs everything written to it so far
// (the leader), the others whose bytes that sync covered return without syncing. A commit returns only
// after an fsync that covers its bytes succeeded; a failed fsync fails every commit it covered, and the
// directory moves to a new file (what the old one holds is unknown).
// File numbers are global across directories (log-<n>, the record format of channels/wal.hpp). A file
// is deleted when it and every lower-numbered file hold no live events and are not active: a newer
// file may hold the takes of events put in older ones.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/metrics.hpp"

namespace sluice {

// Where one append went: its file, its offset there, and its end in the directory's byte stream.
struct LogPosition {
  size_t dir = 0;
  uint32_t file = 0;
  int64_t offset = 0;
  uint64_t end = 0;
};

class LogWriter {
 public:
  using SyncFn = std::function<int(int fd)>;  // fdatasync unless a test injects failures or delays
  LogWriter(std::string channel, std::vector<std::string> dirs, int64_t max_file_size, Counter& fsyncs,
            SyncFn sync = {});
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  struct FileState {
    size_t dir;   // index into dirs
    size_t live;  // events put in it and not yet taken
  };
  // Takes over the files found on disk and opens a new file in every directory, numbered after
  // max_file. Throws std::runtime_error when a file cannot be created.
  void open(const std::map<uint32_t, FileState>& existing, uint32_t max_file);
  // Writes one transaction's records (holding `puts` put records) to the next directory's active file.
  // Not durable yet: call wait_durable. Throws ChannelException on a write error.
  LogPosition append(const std::string& records, size_t puts);
  // Returns once an fsync covering pos succeeded. Throws ChannelException if the fsync that covered it
  // failed; the puts of pos are then released (the transaction rolls back).
  void wait_durable(const LogPosition& pos, size_t puts);
  // One event put in each of these files was taken for good.
  void release(const std::vector<uint32_t>& files);

  // For a checkpoint, taken while no append or wait is in progress: every directory's active file with
  // its size, and the highest file number given out.
  std::map<uint32_t, uint64_t> active_files() const;
  uint32_t max_file() const;

  const std::vector<std::string>& dirs() const { return paths_; }
  std::vector<uint32_t> files() const;  // every file not yet deleted, in number order

 private:
  struct FailedSync {
    uint64_t from, to;  // the directory's byte range (from, to] that fsync covered
    std::string error;
  };
  struct Dir {
    std::mutex mu;
    std::condition_variable cv;
    int fd = -1;
    uint32_t file = 0;
    int64_t size = 0;          // of the active file
    uint64_t written = 0;      // bytes appended to this directory since open, across its files
    uint64_t done = 0;         // bytes an fsync attempt has covered (succeeded unless in failed)
    bool syncing = false;      // a leader is in fsync
    bool must_roll = false;    // after a failed fsync
    std::vector<FailedSync> failed;
  };
  struct FileInfo {
    size_t dir;
    size_t live;
    bool active;
  };

  void roll(size_t d, std::unique_lock<std::mutex>& l);  // l holds dirs_[d]->mu
  void finish_sync(Dir& d, uint64_t target, int rc, int err);
  const FailedSync* failure_covering(const Dir& d, uint64_t end) const;
  void unput(uint32_t file, size_t puts);
  void delete_consumed_locked();
  std::string path(size_t dir, uint32_t n) const;

  std::string channel_;
  std::vector<std::string> paths_;
  int64_t max_file_size_;
  Counter& fsyncs_;
  SyncFn sync_;
  std::vector<std::unique_ptr<Dir>> dirs_;
  std::atomic<size_t> next_dir_{0};
  mutable std::mutex files_mu_;  // files_ and next_file_; taken after a Dir's mu, never before
  std::map<uint32_t, FileInfo> files_;
  uint32_t next_file_ = 1;
};

}  // namespace sluice
