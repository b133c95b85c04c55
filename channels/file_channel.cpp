#include "channels/file_channel.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "agent/avro/flume_event.hpp"
#include "agent/log.hpp"
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
    {
      std::unique_lock l(ch_.mu_);
      auto fits = [&] { return ch_.queue_.size() + ch_.in_flight_ + puts_.size() <= ch_.capacity_; };
      if (!fits()) {
        uint64_t gen = ch_.wake_gen_;
        if (ch_.keep_alive_.count() == 0 ||
            !ch_.space_cv_.wait_for(l, ch_.keep_alive_, [&] { return fits() || ch_.wake_gen_ != gen; }) || !fits())
          throw ChannelException("file channel " + ch_.name() + " is full (capacity " + std::to_string(ch_.capacity_) +
                                 " events)");
      }
    }
    struct statvfs vfs {};
    if (::statvfs(ch_.data_dir_.c_str(), &vfs) == 0 &&
        static_cast<int64_t>(vfs.f_bavail) * static_cast<int64_t>(vfs.f_frsize) < ch_.min_free_)
      throw ChannelException("file channel " + ch_.name() + ": less than minimumRequiredSpace (" +
                             std::to_string(ch_.min_free_) + " bytes) free in " + ch_.data_dir_);
    std::string rec;
    uint64_t tx;
    std::vector<uint64_t> ids;
    {
      std::lock_guard l(ch_.log_mu_);
      tx = ch_.next_tx_++;
      for (auto& e : puts_) {
        ids.push_back(ch_.next_id_++);
        wal::append_record(rec, wal::RecordType::Put, tx, ids.back(), avro::encode_flume_event(e));
      }
      wal::append_record(rec, wal::RecordType::Commit, tx, 0);
      ch_.write_log(rec);  // durable when this returns
      ch_.live_per_file_[ch_.file_no_] += puts_.size();
    }
    uint32_t file = ch_.file_no_;
    std::lock_guard l(ch_.mu_);
    for (size_t i = 0; i < puts_.size(); ++i) ch_.queue_.push_back({ids[i], std::move(puts_[i]), file});
    ch_.counters_.put_success.inc(static_cast<int64_t>(puts_.size()));
    ch_.data_cv_.notify_all();
  }
  void commit_takes() {
    std::string rec;
    std::vector<uint32_t> files;
    {
      std::lock_guard l(ch_.log_mu_);
      uint64_t tx = ch_.next_tx_++;
      for (auto& [id, file] : meta_) {
        wal::append_record(rec, wal::RecordType::Take, tx, id);
        files.push_back(file);
      }
      wal::append_record(rec, wal::RecordType::Commit, tx, 0);
      ch_.write_log(rec);
      ch_.release_file_refs(files);
    }
    std::lock_guard l(ch_.mu_);
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

FileChannel::FileChannel(const std::string& name, Context& ctx) : Channel(name) {
  const char* home = getenv("HOME");
  std::string base = std::string(home ? home : ".") + "/.flume/file-channel";
  checkpoint_dir_ = ctx.get_string("checkpointDir", base + "/checkpoint", "directory for channel state");
  std::string dirs = ctx.get_string("dataDirs", base + "/data", "directories for the log (comma separated; the first is used)");
  data_dir_ = dirs.substr(0, dirs.find(','));
  capacity_ = static_cast<size_t>(ctx.get_int("capacity", 1000000, "most events the channel holds", 1));
  tx_capacity_ = static_cast<size_t>(ctx.get_int("transactionCapacity", 10000, "most events per transaction", 1));
  max_file_size_ = ctx.get_int("maxFileSize", 2146435071, "bytes per log file before a new one starts", 1024);
  min_free_ = ctx.get_int("minimumRequiredSpace", 524288000, "free disk bytes below which puts are refused", 0);
  keep_alive_ = std::chrono::seconds(ctx.get_int("keep-alive", 3, "seconds a commit waits for room", 0));
  skip_corrupt_ = ctx.get_bool("skipCorruptRecords", false, "skip a corrupt record in the middle of the log (loses it)");
  ctx.get_int("checkpointInterval", 30000, "accepted (the log is replayed; fully taken files are deleted)", 0);
  ctx.get_bool("useDualCheckpoints", false, "accepted");
  ctx.get_string("backupCheckpointDir", "", "accepted");
  if (tx_capacity_ > capacity_) ctx.error("transactionCapacity", "must not exceed capacity");
  counters_.group->gauge("ChannelCapacity", [this] { return std::to_string(capacity_); });
  counters_.group->gauge("ChannelSize", [this] { return std::to_string(size()); });
  counters_.group->gauge("ChannelFillPercentage", [this] {
    std::lock_guard l(mu_);
    return std::to_string(100.0 * static_cast<double>(queue_.size() + in_flight_) / static_cast<double>(capacity_));
  });
}

FileChannel::~FileChannel() {
  if (fd_ >= 0) ::close(fd_);
}

void FileChannel::open_log(uint32_t n) {
  if (fd_ >= 0) ::close(fd_);
  std::string p = wal::log_path(data_dir_, n);
  fd_ = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("file channel " + name_ + ": cannot open " + p + ": " + std::strerror(errno));
  file_no_ = n;
  file_size_ = 0;
  live_per_file_.emplace(n, 0);
  int dfd = ::open(data_dir_.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void FileChannel::start() {
  std::error_code ec;
  fs::create_directories(data_dir_, ec);
  if (ec) throw std::runtime_error("file channel " + name_ + ": cannot create " + data_dir_ + ": " + ec.message());
  fs::create_directories(checkpoint_dir_, ec);
  auto r = wal::replay(data_dir_, skip_corrupt_);  // throws CorruptLog: the channel does not start
  if (r.truncated_bytes)
    SLUICE_LOG(Warn, name_) << "cut a torn tail of " << r.truncated_bytes << " bytes from the log (an interrupted write)";
  if (r.skipped_records) SLUICE_LOG(Warn, name_) << "skipped " << r.skipped_records << " corrupt records";
  {
    std::lock_guard l(mu_);
    queue_.clear();
    for (auto& [id, ev] : r.live) {
      live_per_file_[ev.second]++;
      queue_.push_back({id, std::move(ev.first), ev.second});
    }
  }
  next_id_ = r.max_id + 1;
  next_tx_ = r.max_tx + 1;
  for (uint32_t n : wal::log_files(data_dir_)) live_per_file_.emplace(n, 0);
  open_log(r.max_file + 1);
  delete_consumed_logs();
  SLUICE_LOG(Info, name_) << "file channel replayed " << size() << " events from " << data_dir_;
  Channel::start();
}

void FileChannel::stop() {
  wake();
  Channel::stop();
}

void FileChannel::write_log(const std::string& records) {
  if (file_size_ > 0 && file_size_ + static_cast<int64_t>(records.size()) > max_file_size_) {
    open_log(file_no_ + 1);
    delete_consumed_logs();
  }
  size_t off = 0;
  while (off < records.size()) {
    ssize_t n = ::write(fd_, records.data() + off, records.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ChannelException("file channel " + name_ + ": write failed: " + std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  if (::fdatasync(fd_) != 0) throw ChannelException("file channel " + name_ + ": fsync failed: " + std::strerror(errno));
  file_size_ += static_cast<int64_t>(records.size());
}

void FileChannel::release_file_refs(const std::vector<uint32_t>& files) {
  for (uint32_t f : files) {
    auto it = live_per_file_.find(f);
    if (it != live_per_file_.end() && it->second > 0) --it->second;
  }
  delete_consumed_logs();
}

// Only a prefix of fully consumed files is deleted: a newer file may hold the take records of
// events put in older ones, and deleting it alone would make those events come back on replay.
void FileChannel::delete_consumed_logs() {
  while (!live_per_file_.empty()) {
    auto it = live_per_file_.begin();
    if (it->second != 0 || it->first == file_no_) break;
    std::error_code ec;
    fs::remove(wal::log_path(data_dir_, it->first), ec);
    live_per_file_.erase(it);
  }
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
