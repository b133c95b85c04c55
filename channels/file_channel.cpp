#include "channels/file_channel.hpp"

#include <sys/statvfs.h>

#include <cstring>
#include <algorithm>
#include <filesystem>

#include "agent/avro/flume_event.hpp"
#include "agent/log.hpp"
#include "channels/log_writer.hpp"
#include "channels/wal.hpp"

namespace sluice {
namespace fs = std::filesystem;

class FileTransaction : public Transaction {
 public:
  explicit FileTransaction(FileChannel& ch) : ch_(ch) {}
  ~FileTransaction() override {
    if (!view_.empty() || !puts_.empty()) rollback();
  }
  void put(Event&& e) override {
    if (puts_.size() >= ch_.tx_capacity_)
      throw ChannelException("put list of a file channel transaction of " + ch_.name() + " is full (transactionCapacity " +
                             std::to_string(ch_.tx_capacity_) + ")");
    ch_.counters_.put_attempt.inc();
    puts_.push_back(std::move(e));
  }
  size_t take(size_t max, bool wait) override {
    size_t room = ch_.tx_capacity_ - view_.size();
    if (room == 0) throw ChannelException("take list of a file channel transaction of " + ch_.name() + " is full");
    ch_.counters_.take_attempt.inc();
    std::unique_lock l(ch_.mu_);
    if (ch_.queue_.empty() && wait && ch_.keep_alive_.count() > 0) {
      uint64_t gen = ch_.wake_gen_;
      ch_.data_cv_.wait_for(l, ch_.keep_alive_, [&] { return !ch_.queue_.empty() || ch_.wake_gen_ != gen; });
    }
    size_t n = std::min(std::min(max, room), ch_.queue_.size());
    for (size_t i = 0; i < n; ++i) {
      auto& front = ch_.queue_.front();
      meta_.emplace_back(front.id, front.file);
      view_.push_back(std::move(front.event));
      ch_.queue_.pop_front();
    }
    ch_.in_flight_ += n;
    return n;
  }
  const Batch& taken() const override { return view_; }
  void commit() override {
    if (!puts_.empty()) commit_puts();
    if (!view_.empty()) commit_takes();
    reset();
  }
  void rollback() override {
    if (!view_.empty()) {
      std::lock_guard l(ch_.mu_);
      for (size_t i = view_.size(); i-- > 0;)
        ch_.queue_.push_front({meta_[i].first, std::move(view_[i]), meta_[i].second});
      ch_.in_flight_ -= view_.size();
      ch_.data_cv_.notify_all();
    }
    reset();
  }

 private:
  void commit_puts() {
    size_t n = puts_.size();
    {
      std::unique_lock l(ch_.mu_);
      auto fits = [&] { return ch_.queue_.size() + ch_.in_flight_ + ch_.reserved_ + n <= ch_.capacity_; };
      if (!fits()) {
        uint64_t gen = ch_.wake_gen_;
        if (ch_.keep_alive_.count() == 0 ||
            !ch_.space_cv_.wait_for(l, ch_.keep_alive_, [&] { return fits() || ch_.wake_gen_ != gen; }) || !fits())
          throw ChannelException("file channel " + ch_.name() + " is full (capacity " + std::to_string(ch_.capacity_) +
                                 " events)");
      }
      ch_.reserved_ += n;  // room for our events while they are written
    }
    try {
      ch_.check_free_space();
      std::string rec;
      std::vector<uint64_t> offsets(n);
      uint64_t tx = ch_.next_tx_.fetch_add(1);
      uint64_t first_id = ch_.next_id_.fetch_add(n);
      for (size_t i = 0; i < n; ++i) {
        offsets[i] = rec.size();
        wal::append_record(rec, wal::RecordType::Put, tx, first_id + i, avro::encode_flume_event(puts_[i]));
      }
      wal::append_record(rec, wal::RecordType::Commit, tx, 0);
      FileChannel::CommitPass pass(ch_);  // no checkpoint between the log write and the queue update
      LogPosition pos = ch_.log_->append(rec, n);
      ch_.log_->wait_durable(pos, n);  // shares an fsync with concurrent committers
      std::lock_guard l(ch_.mu_);
      ch_.reserved_ -= n;
      for (size_t i = 0; i < n; ++i) {
        ch_.queue_.push_back({first_id + i, std::move(puts_[i]), pos.file});
        ch_.live_.emplace(first_id + i, FileChannel::LogLoc{pos.file, static_cast<uint64_t>(pos.offset) + offsets[i]});
      }
      ch_.counters_.put_success.inc(static_cast<int64_t>(n));
      ch_.data_cv_.notify_all();
    } catch (...) {
      std::lock_guard l(ch_.mu_);
      ch_.reserved_ -= n;
      ch_.space_cv_.notify_all();
      throw;
    }
    puts_.clear();
  }
  void commit_takes() {
    std::string rec;
    std::vector<uint32_t> files;
    uint64_t tx = ch_.next_tx_.fetch_add(1);
    for (auto& [id, file] : meta_) {
      wal::append_record(rec, wal::RecordType::Take, tx, id);
      files.push_back(file);
    }
    wal::append_record(rec, wal::RecordType::Commit, tx, 0);
    FileChannel::CommitPass pass(ch_);
    LogPosition pos = ch_.log_->append(rec, 0);
    ch_.log_->wait_durable(pos, 0);
    ch_.log_->release(files);
    std::lock_guard l(ch_.mu_);
    for (auto& m : meta_) ch_.live_.erase(m.first);
    ch_.in_flight_ -= view_.size();
    ch_.counters_.take_success.inc(static_cast<int64_t>(view_.size()));
    ch_.space_cv_.notify_all();
  }
  void reset() {
    puts_.clear();
    view_.clear();
    meta_.clear();
  }

  FileChannel& ch_;
  Batch puts_;
  Batch view_;                                      // the taken events, in order
  std::vector<std::pair<uint64_t, uint32_t>> meta_;  // their ids and log files
};

FileChannel::FileChannel(const std::string& name, Context& ctx)
    : Channel(name),
      fsyncs_(counters_.group->counter("FsyncCount")),
      checkpoint_errors_(counters_.group->counter("CheckpointWriteErrorCount")) {
  const char* home = getenv("HOME");
  std::string base = std::string(home ? home : ".") + "/.flume/file-channel";
  checkpoint_dir_ = ctx.get_string("checkpointDir", base + "/checkpoint", "directory for channel state");
  std::string dirs = ctx.get_string("dataDirs", base + "/data",
                                    "directories for the log, comma separated (one per disk); written round robin");
  for (size_t p = 0; p <= dirs.size();) {
    size_t q = std::min(dirs.find(',', p), dirs.size());
    std::string d = dirs.substr(p, q - p);
    d.erase(0, d.find_first_not_of(" \t"));
    d.erase(d.find_last_not_of(" \t") + 1);
    if (!d.empty()) data_dirs_.push_back(d);
    p = q + 1;
  }
  if (data_dirs_.empty()) ctx.error("dataDirs", "must name at least one directory");
  capacity_ = static_cast<size_t>(ctx.get_int("capacity", 1000000, "most events the channel holds", 1));
  tx_capacity_ = static_cast<size_t>(ctx.get_int("transactionCapacity", 10000, "most events per transaction", 1));
  max_file_size_ = ctx.get_int("maxFileSize", 2146435071, "bytes per log file before a new one starts", 1024);
  min_free_ = ctx.get_int("minimumRequiredSpace", 524288000, "free disk bytes below which puts are refused", 0);
  keep_alive_ = std::chrono::seconds(ctx.get_int("keep-alive", 3, "seconds a commit waits for room", 0));
  skip_corrupt_ = ctx.get_bool("skipCorruptRecords", false, "skip a corrupt record in the middle of the log (loses it)");
  checkpoint_interval_ = std::chrono::milliseconds(ctx.get_int(
      "checkpointInterval", 30000, "milliseconds between checkpoints (replay starts at the last one); 0: only on stop", 0));
  bool dual = ctx.get_bool("useDualCheckpoints", false, "also write each checkpoint to backupCheckpointDir");
  backup_dir_ = ctx.get_string("backupCheckpointDir", "", "second checkpoint directory (another disk), with useDualCheckpoints");
  if (dual && backup_dir_.empty()) ctx.error("backupCheckpointDir", "is required with useDualCheckpoints = true");
  if (dual && backup_dir_ == checkpoint_dir_) ctx.error("backupCheckpointDir", "must differ from checkpointDir");
  if (!dual) backup_dir_.clear();
  if (tx_capacity_ > capacity_) ctx.error("transactionCapacity", "must not exceed capacity");
  counters_.group->gauge("ChannelCapacity", [this] { return std::to_string(capacity_); });
  counters_.group->gauge("ChannelSize", [this] { return std::to_string(size()); });
  counters_.group->gauge("ChannelFillPercentage", [this] {
    std::lock_guard l(mu_);
    return std::to_string(100.0 * static_cast<double>(queue_.size() + in_flight_) / static_cast<double>(capacity_));
  });
}

FileChannel::~FileChannel() { stop_checkpoints(); }

// The newest readable checkpoint: the primary, else the backup. A bad one is reported and skipped
// (replay then reads more of the log, nothing is lost).
std::optional<Checkpoint> FileChannel::load_checkpoint() {
  for (const std::string& dir : {checkpoint_dir_, backup_dir_}) {
    if (dir.empty()) continue;
    try {
      if (auto cp = checkpoint::read(dir)) return cp;
    } catch (const std::runtime_error& e) {
      SLUICE_LOG(Warn, name_) << e.what() << "; not used";
    }
  }
  return std::nullopt;
}

void FileChannel::start() {
  std::error_code ec;
  for (auto& d : data_dirs_) {
    fs::create_directories(d, ec);
    if (ec) throw std::runtime_error("file channel " + name_ + ": cannot create " + d + ": " + ec.message());
  }
  fs::create_directories(checkpoint_dir_, ec);
  if (!backup_dir_.empty()) fs::create_directories(backup_dir_, ec);
  wal::Replayed r;
  auto cp = load_checkpoint();
  try {
    r = wal::replay(data_dirs_, skip_corrupt_, cp ? &*cp : nullptr);  // throws CorruptLog: no start
  } catch (const wal::CorruptLog& e) {
    if (!cp) throw;
    SLUICE_LOG(Warn, name_) << e.what() << "; replaying the whole log instead of starting at the checkpoint";
    r = wal::replay(data_dirs_, skip_corrupt_);
  }
  if (r.truncated_bytes)
    SLUICE_LOG(Warn, name_) << "cut a torn tail of " << r.truncated_bytes << " bytes from the log (an interrupted write)";
  if (r.skipped_records) SLUICE_LOG(Warn, name_) << "skipped " << r.skipped_records << " corrupt records";
  std::map<uint32_t, LogWriter::FileState> files;
  for (auto& [n, dir] : r.file_dir) files[n] = {dir, 0};
  {
    std::lock_guard l(mu_);
    queue_.clear();
    live_.clear();
    for (auto& [id, ev] : r.live) {
      files[ev.file].live++;
      live_.emplace(id, LogLoc{ev.file, ev.offset});
      queue_.push_back({id, std::move(ev.event), ev.file});
    }
  }
  next_id_ = r.max_id + 1;
  next_tx_ = r.max_tx + 1;
  log_ = std::make_unique<LogWriter>(name_, data_dirs_, max_file_size_, fsyncs_);
  log_->open(files, r.max_file);
  SLUICE_LOG(Info, name_) << "file channel replayed " << size() << " events from " << data_dirs_.size()
                          << " data directories (" << r.files_read << " log files read"
                          << (cp ? ", after the checkpoint)" : ", no checkpoint)");
  if (checkpoint_interval_.count() > 0) {
    std::lock_guard l(cp_mu_);
    cp_stop_ = false;
    cp_thread_ = std::thread([this] {
      std::unique_lock l(cp_mu_);
      while (!cp_cv_.wait_for(l, checkpoint_interval_, [&] { return cp_stop_; })) {
        l.unlock();
        write_checkpoint();
        l.lock();
      }
    });
  }
  Channel::start();
}

void FileChannel::stop_checkpoints() {
  {
    std::lock_guard l(cp_mu_);
    cp_stop_ = true;
  }
  cp_cv_.notify_all();
  if (cp_thread_.joinable()) cp_thread_.join();
}

bool FileChannel::write_checkpoint() {
  std::lock_guard one_at_a_time(cp_write_mu_);
  if (!log_) return false;
  Checkpoint cp;
  {
    std::unique_lock g(gate_mu_);
    checkpointing_ = true;  // new commits wait; the ones between log write and queue update finish
    gate_cv_.wait(g, [&] { return committing_ == 0; });
    {
      std::lock_guard l(mu_);
      cp.live.reserve(live_.size());
      for (auto& [id, loc] : live_) cp.live.push_back({id, loc.file, loc.offset});
    }
    cp.active = log_->active_files();
    cp.max_file = log_->max_file();
    cp.next_id = next_id_;
    cp.next_tx = next_tx_;
    checkpointing_ = false;
    gate_cv_.notify_all();
  }
  std::sort(cp.live.begin(), cp.live.end(), [](auto& a, auto& b) { return a.id < b.id; });
  bool ok = true;
  for (const std::string& dir : {checkpoint_dir_, backup_dir_}) {
    if (dir.empty()) continue;
    try {
      checkpoint::write(dir, cp);
    } catch (const std::runtime_error& e) {
      checkpoint_errors_.inc();
      SLUICE_LOG(Warn, name_) << e.what();
      ok = false;
    }
  }
  return ok;
}

FileChannel::CommitPass::CommitPass(FileChannel& ch) : ch_(ch) {
  std::unique_lock g(ch_.gate_mu_);
  ch_.gate_cv_.wait(g, [&] { return !ch_.checkpointing_; });
  ++ch_.committing_;
}

FileChannel::CommitPass::~CommitPass() {
  std::lock_guard g(ch_.gate_mu_);
  if (--ch_.committing_ == 0) ch_.gate_cv_.notify_all();
}

void FileChannel::check_free_space() const {
  for (auto& d : data_dirs_) {
    struct statvfs vfs {};
    if (::statvfs(d.c_str(), &vfs) == 0 &&
        static_cast<int64_t>(vfs.f_bavail) * static_cast<int64_t>(vfs.f_frsize) < min_free_)
      throw ChannelException("file channel " + name_ + ": less than minimumRequiredSpace (" +
                             std::to_string(min_free_) + " bytes) free in " + d);
  }
}

void FileChannel::stop() {
  wake();
  stop_checkpoints();
  write_checkpoint();  // the next start replays from here
  Channel::stop();
}

std::unique_ptr<Transaction> FileChannel::begin() { return std::make_unique<FileTransaction>(*this); }

size_t FileChannel::size() const {
  std::lock_guard l(mu_);
  return queue_.size();
}

void FileChannel::wake() {
  std::lock_guard l(mu_);
  ++wake_gen_;
  data_cv_.notify_all();
  space_cv_.notify_all();
}

}  // namespace sluice
