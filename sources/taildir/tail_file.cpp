#include "sources/taildir/tail_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sluice::taildir {

TailFile::TailFile(const std::string& path, uint64_t pos) : path_(path), committed_(pos), read_(pos) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  ::fstat(fd_, &st);
  inode_ = st.st_ino;
  last_growth_ = std::chrono::steady_clock::now();
}

TailFile::~TailFile() {
  if (fd_ >= 0) ::close(fd_);
}

int64_t TailFile::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return -1;
  return st.st_size;
}

bool TailFile::check_truncated() {
  int64_t s = size();
  if (s >= 0 && static_cast<uint64_t>(s) < committed_) {
    truncated_at_ = committed_;
    previous_fingerprint_ = fingerprint_;
    fingerprint_.clear();
    committed_ = read_ = 0;
    partial_at_ = UINT64_MAX;
    return true;
  }
  return false;
}

void TailFile::take_fingerprint() {
  if (fingerprint_.size() >= 256) return;
  char buf[256];
  ssize_t n = ::pread(fd_, buf, sizeof buf, 0);
  if (n > 0 && static_cast<size_t>(n) > fingerprint_.size()) fingerprint_.assign(buf, static_cast<size_t>(n));
}

size_t TailFile::read_lines(Batch& out, size_t max_events, const LineOptions& o,
                            const std::function<void(Event&, uint64_t)>& header_fn) {
  take_fingerprint();
  size_t produced = 0;
  std::string buf;  // bytes from read_ onward
  bool eof = false;
  auto emit = [&](size_t len, size_t consumed, bool piece) {
    Event e(buf.substr(0, len));
    if (piece || continuing_) e.headers.set("taildir.split", "true");
    header_fn(e, read_);
    out.push_back(std::move(e));
    ++produced;
    read_ += consumed;
    buf.erase(0, consumed);
    continuing_ = piece;
  };
  while (produced < max_events) {
    size_t nl = buf.find('\n');
    if (nl != std::string::npos) {
      size_t len = nl > 0 && buf[nl - 1] == '\r' ? nl - 1 : nl;
      if (len > o.max_line) emit(o.max_line, o.max_line, true);  // an over-long line goes in marked pieces
      else emit(len, nl + 1, false);
      continue;
    }
    if (buf.size() >= o.max_line) {
      emit(o.max_line, o.max_line, true);
      continue;
    }
    if (eof) break;
    constexpr size_t kChunk = 256 * 1024;
    size_t have = buf.size();
    buf.resize(have + kChunk);
    ssize_t n = ::pread(fd_, buf.data() + have, kChunk, static_cast<off_t>(read_ + have));
    if (n < 0 && errno == EINTR) n = 0;
    if (n < 0) {
      buf.resize(have);
      throw std::runtime_error("cannot read " + path_ + ": " + std::strerror(errno));
    }
    buf.resize(have + static_cast<size_t>(n));
    if (n > 0) last_growth_ = std::chrono::steady_clock::now();
    if (n == 0) eof = true;
  }
  // A last line without its newline waits for it, at most partial_timeout_ms when set.
  if (produced < max_events && eof && !buf.empty()) {
    auto now = std::chrono::steady_clock::now();
    if (partial_at_ != read_) {
      partial_at_ = read_;
      partial_since_ = now;
    } else if (o.partial_timeout_ms > 0 && now - partial_since_ >= std::chrono::milliseconds(o.partial_timeout_ms)) {
      size_t len = buf.size();
      emit(len, len, false);
      out.back().headers.set("taildir.partial", "true");
      partial_at_ = UINT64_MAX;
    }
  }
  return produced;
}

}  // namespace sluice::taildir
