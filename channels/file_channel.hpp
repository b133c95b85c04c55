// Flume type: file (org.apache.flume.channel.file.FileChannel) — sluice's own durable channel.
// Keys: checkpointDir (~/.flume/file-channel/checkpoint), dataDirs (~/.flume/file-channel/data; the
// first is used), capacity (1000000), transactionCapacity (10000), maxFileSize (2146435071 bytes),
// minimumRequiredSpace (524288000 bytes), keep-alive (3 s), skipCorruptRecords (false; sluice),
// checkpointInterval / useDualCheckpoints / backupCheckpointDir (accepted).
// Every commit appends its puts or takes and a commit record to a CRC-checked write-ahead log
// (channels/wal.hpp) and fsyncs before it returns: what a source was told is committed survives
// kill -9 and power loss. On start the log is replayed; a torn tail is truncated, corruption in the
// middle stops the channel with file and offset unless skipCorruptRecords. Log files whose events
// have all been taken are deleted. A put commit fails (backpressure) when the channel is full or the
// disk has less than minimumRequiredSpace free. Not Flume's on-disk format (Flume's files are not
// read). Queued events are also held in memory (bounded by capacity).
#pragma once
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>

#include "agent/channel.hpp"
#include "agent/context.hpp"

namespace sluice {

class FileChannel : public Channel {
 public:
  FileChannel(const std::string& name, Context& ctx);
  ~FileChannel() override;
  void start() override;
  void stop() override;
  std::unique_ptr<Transaction> begin() override;
  size_t size() const override;
  void wake() override;

 private:
  friend class FileTransaction;
  struct Item {
    uint64_t id;
    Event event;
    uint32_t file;
  };
  // Appends records and fsyncs; rolls to a new log file past maxFileSize.
  void write_log(const std::string& records);
  void open_log(uint32_t n);
  void release_file_refs(const std::vector<uint32_t>& files);
  void delete_consumed_logs();

  std::string data_dir_, checkpoint_dir_;
  size_t capacity_, tx_capacity_;
  int64_t max_file_size_, min_free_;
  std::chrono::milliseconds keep_alive_;
  bool skip_corrupt_;

  mutable std::mutex mu_;  // queue and accounting
  std::condition_variable data_cv_, space_cv_;
  std::deque<Item> queue_;
  size_t in_flight_ = 0;
  uint64_t wake_gen_ = 0;
  std::mutex log_mu_;  // the log file
  int fd_ = -1;
  uint32_t file_no_ = 0;
  int64_t file_size_ = 0;
  std::map<uint32_t, size_t> live_per_file_;  // events put and not yet taken, per log file
  uint64_t next_id_ = 1, next_tx_ = 1;
};

}  // namespace sluice
