// Flume type: file (org.apache.flume.channel.file.FileChannel) — sluice's own durable channel.
// Keys (defaults): checkpointDir (~/.flume/file-channel/checkpoint), dataDirs
// (~/.flume/file-channel/data; comma separated, one per disk: each has an active log file and
// transactions are written round robin across them), capacity (1000000), transactionCapacity (10000),
// maxFileSize (2146435071 bytes), minimumRequiredSpace (524288000 bytes, checked in every dataDir),
// keep-alive (3 s), checkpointInterval (30000 ms; 0 = only on stop), useDualCheckpoints (false),
// backupCheckpointDir (required with useDualCheckpoints), skipCorruptRecords (false; sluice).
// Guarantees: a commit appends its puts or takes and a commit record to a CRC-checked write-ahead log
// (channels/wal.hpp) and returns only after an fsync covering those bytes succeeded, so what a source
// was told is committed survives kill -9 and power loss. Concurrent commits share fsyncs (group
// commit, channels/log_writer.hpp; metric FsyncCount); a failed fsync fails every commit it covered
// (ChannelException: they roll back; their events may still come back after a restart, as duplicates,
// never as losses). A checkpoint (channels/checkpoint.hpp; atomic temp + fsync + rename, also in
// backupCheckpointDir with useDualCheckpoints; CheckpointWriteErrorCount) is written every
// checkpointInterval and on stop; start replays from it and reads only the log written after it (a bad
// checkpoint: the backup, else the whole log). A torn tail is truncated; corruption in the middle stops
// the channel with file and offset unless skipCorruptRecords. Log files whose events have all been
// taken are deleted in every dataDir. A put commit fails (backpressure) when the channel is full or a
// dataDir has less than minimumRequiredSpace free. Not Flume's on-disk format (Flume's files are not
// read). Queued events are also held in memory (bounded by capacity).
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <mutex>

#include "agent/channel.hpp"
#include "agent/context.hpp"
#include "channels/checkpoint.hpp"
#include "channels/log_writer.hpp"

namespace sluice {

class FileChannel : public Channel {
 public:
  FileChannel(const std::string& name, Context& ctx);
  ~FileChannel() override;
  void start() override;
  void stop() override;
  std::unique_ptr<Transaction> begin() override;
  size_t size() const override;
  bool durable() const override { return true; }
  void wake() override;
  // Writes a checkpoint now (also done every checkpointInterval and on stop). False if a write failed
  // (counted in CheckpointWriteErrorCount; replay then starts at an older checkpoint).
  bool write_checkpoint();

 private:
  friend class FileTransaction;
  struct Item {
    uint64_t id;
    Event event;
    uint32_t file;
  };
  struct LogLoc {
    uint32_t file;
    uint64_t offset;  // of the event's put record
  };
  // Held by a commit from its log write to its queue update, so a checkpoint never sees one half.
  class CommitPass {
   public:
    explicit CommitPass(FileChannel& ch);
    ~CommitPass();

   private:
    FileChannel& ch_;
  };
  void check_free_space() const;  // throws ChannelException below minimumRequiredSpace in any dataDir
  std::optional<Checkpoint> load_checkpoint();
  void stop_checkpoints();

  std::vector<std::string> data_dirs_;
  std::string checkpoint_dir_, backup_dir_;  // backup_dir_ empty unless useDualCheckpoints
  std::chrono::milliseconds checkpoint_interval_;
  size_t capacity_, tx_capacity_;
  int64_t max_file_size_, min_free_;
  std::chrono::milliseconds keep_alive_;
  bool skip_corrupt_;
  Counter& fsyncs_;
  Counter& checkpoint_errors_;

  mutable std::mutex mu_;  // queue and accounting
  std::condition_variable data_cv_, space_cv_;
  std::deque<Item> queue_;
  size_t in_flight_ = 0;  // taken, not yet committed
  size_t reserved_ = 0;   // put, being written
  uint64_t wake_gen_ = 0;
  std::unordered_map<uint64_t, LogLoc> live_;  // put and not take-committed (queued or in flight)
  std::unique_ptr<LogWriter> log_;
  std::atomic<uint64_t> next_id_{1}, next_tx_{1};

  std::mutex gate_mu_;
  std::condition_variable gate_cv_;
  int committing_ = 0;
  bool checkpointing_ = false;
  std::mutex cp_write_mu_;
  std::mutex cp_mu_;
  std::condition_variable cp_cv_;
  bool cp_stop_ = false;
  std::thread cp_thread_;
};

}  // namespace sluice
