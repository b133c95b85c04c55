#include "channels/log_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "agent/channel.hpp"
#include "channels/wal.hpp"

namespace sluice {

namespace {
void sync_directory(const std::string& dir) {
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}
}  // namespace

LogWriter::LogWriter(std::string channel, std::vector<std::string> dirs, int64_t max_file_size, Counter& fsyncs,
                     SyncFn sync)
    : channel_(std::move(channel)),
      paths_(std::move(dirs)),
      max_file_size_(max_file_size),
      fsyncs_(fsyncs),
      sync_(sync ? std::move(sync) : SyncFn([](int fd) { return ::fdatasync(fd); })) {
  for (size_t i = 0; i < paths_.size(); ++i) dirs_.push_back(std::make_unique<Dir>());
}

LogWriter::~LogWriter() {
  for (auto& d : dirs_)
    if (d->fd >= 0) ::close(d->fd);
}

std::string LogWriter::path(size_t dir, uint32_t n) const { return wal::log_path(paths_[dir], n); }

void LogWriter::open(const std::map<uint32_t, FileState>& existing, uint32_t max_file) {
  {
    std::lock_guard l(files_mu_);
    for (auto& [n, st] : existing) files_[n] = {st.dir, st.live, false};
    next_file_ = max_file + 1;
  }
  for (size_t i = 0; i < dirs_.size(); ++i) {
    std::unique_lock l(dirs_[i]->mu);
    roll(i, l);
  }
}

// Moves directory d to a new file. Bytes written to the old file and not yet synced are synced here
// first, so that every byte above `done` is always in the active file.
void LogWriter::roll(size_t di, std::unique_lock<std::mutex>& l) {
  Dir& d = *dirs_[di];
  d.cv.wait(l, [&] { return !d.syncing; });
  if (d.fd >= 0) {
    if (d.written > d.done) {
      int rc = sync_(d.fd);
      finish_sync(d, d.written, rc, errno);
    }
    ::close(d.fd);
    d.fd = -1;
  }
  uint32_t n;
  {
    std::lock_guard fl(files_mu_);
    n = next_file_++;
  }
  std::string p = path(di, n);
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    d.must_roll = true;  // try again on the next append
    throw ChannelException("file channel " + channel_ + ": cannot open " + p + ": " + std::strerror(errno));
  }
  sync_directory(paths_[di]);
  uint32_t old = d.file;
  d.fd = fd;
  d.file = n;
  d.size = 0;
  d.must_roll = false;
  std::lock_guard fl(files_mu_);
  if (auto it = files_.find(old); it != files_.end()) it->second.active = false;
  files_[n] = {di, 0, true};
  delete_consumed_locked();
}

LogPosition LogWriter::append(const std::string& records, size_t puts) {
  size_t di = next_dir_.fetch_add(1, std::memory_order_relaxed) % dirs_.size();
  Dir& d = *dirs_[di];
  std::unique_lock l(d.mu);
  if (d.fd < 0 || d.must_roll || (d.size > 0 && d.size + static_cast<int64_t>(records.size()) > max_file_size_))
    roll(di, l);
  LogPosition pos{di, d.file, d.size, 0};
  size_t off = 0;
  while (off < records.size()) {
    ssize_t n = ::write(d.fd, records.data() + off, records.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      // A part of the records may be in the file: cut it off, and write later appends to a new file
      // (should the cut fail too, replay drops this transaction: it has no commit record).
      if (::ftruncate(d.fd, d.size) != 0) d.size += static_cast<int64_t>(off);
      d.must_roll = true;
      throw ChannelException("file channel " + channel_ + ": write to " + path(di, d.file) +
                             " failed: " + std::strerror(err));
    }
    off += static_cast<size_t>(n);
  }
  d.size += static_cast<int64_t>(records.size());
  d.written += records.size();
  pos.end = d.written;
  if (puts > 0) {
    std::lock_guard fl(files_mu_);  // the file is active (we hold d.mu): it cannot be deleted before this
    files_[pos.file].live += puts;
  }
  return pos;
}

void LogWriter::finish_sync(Dir& d, uint64_t target, int rc, int err) {
  fsyncs_.inc();
  if (rc != 0) {
    d.failed.push_back({d.done, target, std::strerror(err)});
    d.must_roll = true;
  }
  if (target > d.done) d.done = target;
  d.cv.notify_all();
}

const LogWriter::FailedSync* LogWriter::failure_covering(const Dir& d, uint64_t end) const {
  for (auto& f : d.failed)
    if (end > f.from && end <= f.to) return &f;
  return nullptr;
}

void LogWriter::wait_durable(const LogPosition& pos, size_t puts) {
  Dir& d = *dirs_[pos.dir];
  std::unique_lock l(d.mu);
  while (d.done < pos.end) {
    if (d.syncing) {
      d.cv.wait(l);
      continue;
    }
    // Leader: sync everything written so far, outside the lock so others can append meanwhile.
    // roll() waits for us, so fd stays open and every byte up to target is in it.
    d.syncing = true;
    uint64_t target = d.written;
    int fd = d.fd;
    l.unlock();
    int rc = sync_(fd);
    int err = errno;
    l.lock();
    d.syncing = false;
    finish_sync(d, target, rc, err);
  }
  if (const FailedSync* f = failure_covering(d, pos.end)) {
    std::string msg = "file channel " + channel_ + ": fsync of " + path(pos.dir, pos.file) + " failed: " + f->error;
    l.unlock();
    unput(pos.file, puts);
    throw ChannelException(msg);
  }
}

void LogWriter::unput(uint32_t file, size_t puts) {
  if (puts == 0) return;
  std::lock_guard fl(files_mu_);
  auto it = files_.find(file);
  if (it == files_.end()) return;
  it->second.live -= std::min(it->second.live, puts);
  delete_consumed_locked();
}

void LogWriter::release(const std::vector<uint32_t>& files) {
  std::lock_guard fl(files_mu_);
  for (uint32_t f : files) {
    auto it = files_.find(f);
    if (it != files_.end() && it->second.live > 0) --it->second.live;
  }
  delete_consumed_locked();
}

void LogWriter::delete_consumed_locked() {
  while (!files_.empty()) {
    auto it = files_.begin();
    if (it->second.live != 0 || it->second.active) break;
    std::error_code ec;
    std::filesystem::remove(path(it->second.dir, it->first), ec);
    files_.erase(it);
  }
}

std::map<uint32_t, uint64_t> LogWriter::active_files() const {
  std::map<uint32_t, uint64_t> out;
  for (auto& d : dirs_) {
    std::lock_guard l(d->mu);
    if (d->fd >= 0) out[d->file] = static_cast<uint64_t>(d->size);
  }
  return out;
}

uint32_t LogWriter::max_file() const {
  std::lock_guard fl(files_mu_);
  return next_file_ - 1;
}

std::vector<uint32_t> LogWriter::files() const {
  std::lock_guard fl(files_mu_);
  std::vector<uint32_t> out;
  for (auto& [n, info] : files_) out.push_back(n);
  return out;
}

}  // namespace sluice
