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
  // buf[pos..] are the unread bytes from read_ onward; the consumed prefix is dropped only before
  // the next read, not after each line (that moved the rest of a 256 KiB buffer once per line).
  std::string buf;
  size_t pos = 0;
  bool eof = false;
  auto emit = [&](size_t len, size_t consumed, bool piece) {
    Event e(buf.substr(pos, len));
    if (piece || continuing_) e.headers.set("taildir.split", "true");
    header_fn(e, read_);
    out.push_back(std::move(e));
    ++produced;
    read_ += consumed;
    pos += consumed;
    continuing_ = piece;
  };
  while (produced < max_events) {
    size_t nl = buf.find('\n', pos);
    if (nl != std::string::npos) {
      size_t len = (nl > pos && buf[nl - 1] == '\r' ? nl - 1 : nl) - pos;
      if (len > o.max_line) emit(o.max_line, o.max_line, true);  // an over-long line goes in marked pieces
      else emit(len, nl + 1 - pos, false);
      continue;
    }
    if (buf.size() - pos >= o.max_line) {
      emit(o.max_line, o.max_line, true);
      continue;
    }
    if (eof) break;
    buf.erase(0, pos);
    pos = 0;
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
  if (produced < max_events && eof && pos < buf.size()) {
    auto now = std::chrono::steady_clock::now();
    if (partial_at_ != read_) {
      partial_at_ = read_;
      partial_since_ = now;
    } else if (o.partial_timeout_ms > 0 && now - partial_since_ >= std::chrono::milliseconds(o.partial_timeout_ms)) {
      size_t len = buf.size() - pos;
      emit(len, len, false);
      out.back().headers.set("taildir.partial", "true");
      partial_at_ = UINT64_MAX;
    }
  }
  return produced;
}

}  // namespace sluice::taildir
