#include "sources/taildir_source.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sluice {
namespace fs = std::filesystem;

TaildirSource::TaildirSource(const std::string& name, Context& ctx) : Source(name) {
  auto names = ctx.get_list("filegroups", "(required) file group names, space separated");
  if (names.empty()) ctx.error("filegroups", "is required (expected group names, e.g. f1 f2)");
  for (const auto& g : names) {
    std::string spec = ctx.get_string("filegroups." + g, "", "directory/regex of the files of this group");
    if (spec.empty()) {
      ctx.error("filegroups." + g, "is required (expected /dir/filename-regex, e.g. /var/log/squid/access.log)");
      continue;
    }
    fs::path p(spec);
    Group group{g, p.parent_path().string(), nullptr, {}};
    RE2::Options opts;
    opts.set_log_errors(false);
    group.pattern = std::make_unique<RE2>(p.filename().string(), opts);
    if (!group.pattern->ok())
      ctx.error("filegroups." + g, "'" + p.filename().string() + "' is not a valid regex: " + group.pattern->error());
    for (auto& [k, v] : ctx.get_prefixed("headers." + g + ".", "headers.<group>.<key> = value added to its events"))
      group.headers.emplace_back(k, v);
    groups_.push_back(std::move(group));
  }
  ctx.get_prefixed("headers.", "headers.<group>.<key> = value");
  const char* home = getenv("HOME");
  position_path_ = ctx.get_string("positionFile", std::string(home ? home : "") + "/.flume/taildir_position.json",
                                  "JSON file of read positions (Flume's format)");
  file_header_ = ctx.get_bool("fileHeader", false, "add the file's path as a header");
  file_header_key_ = ctx.get_string("fileHeaderKey", "file", "header name for fileHeader");
  offset_header_ = ctx.get_bool("byteOffsetHeader", false, "add the line's byte offset as header byteoffset");
  skip_to_end_ = ctx.get_bool("skipToEnd", false, "start files not in the position file at their end");
  idle_timeout_ms_ = ctx.get_int("idleTimeout", 120000, "ms after which an idle rotated-away file is closed", 0);
  write_pos_ms_ = ctx.get_int("writePosInterval", 3000, "ms between position file writes", 1);
  batch_size_ = static_cast<size_t>(ctx.get_int("batchSize", 100, "lines per channel transaction", 1));
  max_batch_count_ = ctx.get_int("maxBatchCount", INT64_MAX, "batches read from one file before the next", 1);
  backoff_inc_ms_ = ctx.get_int("backoffSleepIncrement", 1000, "ms added to the wait after an idle pass", 1);
  max_backoff_ms_ = ctx.get_int("maxBackoffSleep", 5000, "longest wait between passes, ms", 1);
  ctx.get_bool("cachePatternMatching", true, "accepted for Flume compatibility (matching is always cached)");
  line_.max_line = static_cast<size_t>(ctx.get_int("maxLineLength", 1 << 20, "longest line delivered whole, bytes", 16));
  line_.partial_timeout_ms =
      ctx.get_int("partialLineTimeout", 0, "ms a last line waits for its newline (0: until it comes)", 0);
}

TaildirSource::~TaildirSource() { stop(); }

void TaildirSource::start() {
  std::string err;
  if (!taildir::load_positions(position_path_, saved_, err)) {
    SLUICE_LOG(Error, name_) << "position file " << position_path_ << " is unusable (" << err
                             << "); starting without positions (files are read from the start, or the end with "
                                "skipToEnd)";
    saved_.clear();
  }
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) SLUICE_LOG(Warn, name_) << "inotify unavailable; polling";
  setup_watches();
  scan();
  // Positions of files that were rotated away while the agent was stopped: find the inode anywhere
  // in the group's directory and read what was left.
  for (const auto& s : saved_) {
    if (files_.count(s.inode)) continue;
    for (size_t g = 0; g < groups_.size(); ++g) {
      std::error_code ec;
      for (auto& entry : fs::directory_iterator(groups_[g].dir, ec)) {
        struct stat st {};
        if (::stat(entry.path().c_str(), &st) == 0 && st.st_ino == s.inode && S_ISREG(st.st_mode) &&
            static_cast<uint64_t>(st.st_size) >= s.pos) {
          track(entry.path().string(), g, false, s.pos);
          break;
        }
      }
    }
  }
  saved_.clear();
  last_pos_write_ = std::chrono::steady_clock::now();
  stop_ = false;
  counters_.group->mark_start();
  thread_ = std::thread([this] { run(); });
}

void TaildirSource::stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
  write_positions();  // exactly-once across a graceful restart
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  inotify_fd_ = -1;
  watches_.clear();
  files_.clear();
  counters_.group->mark_stop();
}

void TaildirSource::setup_watches() {
  if (inotify_fd_ < 0) return;
  for (auto w : watches_) inotify_rm_watch(inotify_fd_, w);
  watches_.clear();
  for (const auto& g : groups_) {
    int w = inotify_add_watch(inotify_fd_, g.dir.c_str(),
                              IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE);
    if (w >= 0) watches_.push_back(w);
  }
}

void TaildirSource::track(const std::string& path, size_t group, bool matched, uint64_t start_pos) {
  try {
    auto tf = std::make_unique<taildir::TailFile>(path, start_pos);
    uint64_t inode = tf->inode();
    if (tf->size() >= 0 && static_cast<uint64_t>(tf->size()) < start_pos) tf->check_truncated();
    files_[inode] = Tracked{std::move(tf), group, matched};
    SLUICE_LOG(Info, name_) << "following " << path << " (inode " << inode << ") from byte " << start_pos;
  } catch (const std::exception& e) {
    counters_.event_read_fail.inc();
    if (warn_.allow()) SLUICE_LOG(Warn, name_) << e.what();
  }
}

void TaildirSource::scan() {
  for (auto& [inode, t] : files_) t.matched = false;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const auto& group = groups_[g];
    std::error_code ec;
    fs::directory_iterator it(group.dir, ec);
    if (ec) {
      if (warn_.allow()) SLUICE_LOG(Warn, name_) << "cannot list " << group.dir << ": " << ec.message();
      continue;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      std::string fname = it->path().filename().string();
      if (!RE2::FullMatch(fname, *group.pattern)) continue;
      struct stat st {};
      if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      auto found = files_.find(st.st_ino);
      std::string path = fs::absolute(it->path()).string();
      if (found != files_.end()) {
        found->second.matched = true;
        if (found->second.file->path() != path) found->second.file->set_path(path);  // renamed
        continue;
      }
      uint64_t start = skip_to_end_ ? static_cast<uint64_t>(st.st_size) : 0;
      for (const auto& s : saved_)
        if (s.inode == st.st_ino) start = s.pos;  // resume (Flume also matches by inode)
      track(path, g, true, start);
    }
  }
}

// After copytruncate the lines between the last read and the truncation are only in the copy:
// find it (same directory, begins with the bytes the file began with, at least as long as what was
// read) and read it from there to its end.
void TaildirSource::follow_copy(const taildir::TailFile& truncated, size_t group) {
  const std::string& fp = truncated.previous_fingerprint();
  if (fp.empty()) return;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(fs::path(truncated.path()).parent_path(), ec)) {
    struct stat st {};
    if (::stat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_ino == truncated.inode() ||
        files_.count(st.st_ino) || static_cast<uint64_t>(st.st_size) < truncated.truncated_at())
      continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string head(fp.size(), '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    if (head != fp) continue;
    SLUICE_LOG(Info, name_) << "reading the rest of the truncated file from its copy " << entry.path().string();
    track(entry.path().string(), group, false, truncated.truncated_at());
    return;
  }
}

bool TaildirSource::deliver_file(Tracked& t) {
  auto& tf = *t.file;
  if (tf.check_truncated()) {
    SLUICE_LOG(Info, name_) << tf.path() << " was truncated (copytruncate?): reading again from the start";
    follow_copy(tf, t.group);
  }
  const Group& g = groups_[t.group];
  auto headers = [&](Event& e, uint64_t offset) {
    for (const auto& [k, v] : g.headers) e.headers.set(k, v);
    if (file_header_) e.headers.set(file_header_key_, tf.path());
    if (offset_header_) e.headers.set("byteoffset", std::to_string(offset));
  };
  bool any = false;
  for (int64_t batches = 0; batches < max_batch_count_ && !stop_; ++batches) {
    Batch b;
    size_t n;
    try {
      n = tf.read_lines(b, batch_size_, line_, headers);
    } catch (const std::exception& e) {
      counters_.event_read_fail.inc();
      if (warn_.allow()) SLUICE_LOG(Warn, name_) << e.what();
      return any;
    }
    SLUICE_LOG(Debug, name_) << tf.path() << " read " << n << " at " << tf.committed() << " size " << tf.size();
    if (n == 0) break;
    counters_.events_received.inc(static_cast<int64_t>(n));
    counters_.append_batch_received.inc();
    try {
      processor().process(std::move(b));
    } catch (const ChannelException&) {
      tf.rollback();  // the same lines are read again next time
      throw;
    }
    tf.commit();
    counters_.events_accepted.inc(static_cast<int64_t>(n));
    counters_.append_batch_accepted.inc();
    any = true;
  }
  return any;
}

bool TaildirSource::poll_once() {
  scan();
  bool any = false;
  auto now = std::chrono::steady_clock::now();
  for (auto it = files_.begin(); it != files_.end();) {
    any |= deliver_file(it->second);
    // A file no longer under a matching name (rotated away, deleted) is dropped once read to the
    // end and idle; its descriptor kept it readable until then.
    auto& tf = *it->second.file;
    if (!it->second.matched && !tf.has_unread() &&
        now - tf.last_growth() >= std::chrono::milliseconds(idle_timeout_ms_)) {
      SLUICE_LOG(Info, name_) << "done with " << tf.path() << " (inode " << tf.inode() << ")";
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  if (now - last_pos_write_ >= std::chrono::milliseconds(write_pos_ms_)) write_positions();
  return any;
}

void TaildirSource::write_positions() {
  std::vector<taildir::Position> pos;
  for (const auto& [inode, t] : files_) pos.push_back({inode, t.file->committed(), t.file->path()});
  try {
    taildir::save_positions(position_path_, pos);
  } catch (const std::exception& e) {
    if (warn_.allow()) SLUICE_LOG(Error, name_) << e.what();
  }
  last_pos_write_ = std::chrono::steady_clock::now();
}

void TaildirSource::run() {
  int64_t backoff = 0;
  while (!stop_) {
    bool any = false;
    try {
      any = poll_once();
    } catch (const ChannelException& e) {
      counters_.channel_write_fail.inc();
      if (warn_.allow()) SLUICE_LOG(Warn, name_) << "channel full, backing off: " << e.what();
    }
    if (any) {
      backoff = 0;
      continue;
    }
    backoff = std::min(backoff + backoff_inc_ms_, max_backoff_ms_);
    // Sleep until inotify reports a change, the backoff ends, or stop (checked every 100 ms).
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(backoff);
    while (!stop_ && std::chrono::steady_clock::now() < until) {
      if (inotify_fd_ >= 0) {
        pollfd p{inotify_fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) > 0) {
          char buf[4096];
          while (::read(inotify_fd_, buf, sizeof buf) > 0) {
          }
          break;
        }
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    if (watches_.size() < groups_.size()) setup_watches();  // a directory that appeared later
  }
}

}  // namespace sluice
