#include "sources/spooldir_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

namespace sluice {
namespace fs = std::filesystem;

SpoolDirSource::SpoolDirSource(const std::string& name, Context& ctx) : Source(name) {
  dir_ = ctx.require_string("spoolDir", "directory whose files are ingested");
  suffix_ = ctx.get_string("fileSuffix", ".COMPLETED", "suffix added to a file once ingested");
  delete_ = ctx.get_choice("deletePolicy", "never", {"never", "immediate"}, "delete ingested files") == "immediate";
  file_header_ = ctx.get_bool("fileHeader", false, "add the file's path as a header");
  file_key_ = ctx.get_string("fileHeaderKey", "file", "header for fileHeader");
  base_header_ = ctx.get_bool("basenameHeader", false, "add the file's name as a header");
  base_key_ = ctx.get_string("basenameHeaderKey", "basename", "header for basenameHeader");
  RE2::Options o;
  o.set_log_errors(false);
  include_ = std::make_unique<RE2>(ctx.get_string("includePattern", "^.*$", "files to ingest (regex)"), o);
  ignore_ = std::make_unique<RE2>(ctx.get_string("ignorePattern", "^$", "files to skip (regex)"), o);
  if (!include_->ok()) ctx.error("includePattern", "is not a valid regex: " + include_->error());
  if (!ignore_->ok()) ctx.error("ignorePattern", "is not a valid regex: " + ignore_->error());
  tracker_ = ctx.get_string("trackerDir", ".flumespool", "where read positions are kept (relative to spoolDir)");
  order_ = ctx.get_choice("consumeOrder", "oldest", {"oldest", "youngest", "random"}, "which file is read next");
  poll_ms_ = ctx.get_int("pollDelay", 500, "ms between looks for new files", 1);
  ctx.get_int("maxBackoff", 4000, "longest wait when the channel is full, ms", 1);
  ctx.get_bool("recursiveDirectorySearch", false, "accepted (sub-directories are not searched)");
  batch_size_ = static_cast<size_t>(ctx.get_int("batchSize", 100, "lines per channel transaction", 1));
  charset_ = ctx.get_string("inputCharset", "UTF-8", "charset of the files (UTF-8 is checked; others are passed through)");
  policy_ = ctx.get_choice("decodeErrorPolicy", "FAIL", {"FAIL", "REPLACE", "IGNORE"},
                           "invalid UTF-8: fail the file, replace with U+FFFD, or drop the bytes");
  std::string deser = ctx.get_string("deserializer", "LINE", "LINE (one event per line)");
  if (deser != "LINE" && deser != "org.apache.flume.serialization.LineDeserializer$Builder")
    ctx.error("deserializer", "'" + deser + "' is not supported (expected LINE)");
  max_line_ = static_cast<size_t>(ctx.get_int("deserializer.maxLineLength", 2048, "longest line delivered whole", 1));
  ctx.get_string("deserializer.outputCharset", "UTF-8", "accepted (bytes are passed through)");
  if (!fs::path(tracker_).is_absolute()) tracker_ = dir_ + "/" + tracker_;
}

SpoolDirSource::~SpoolDirSource() { stop(); }

void SpoolDirSource::start() {
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) throw std::runtime_error("spoolDir " + dir_ + " is not a readable directory");
  fs::create_directories(tracker_, ec);
  stop_ = false;
  counters_.group->mark_start();
  thread_ = std::thread([this] {
    while (!stop_) {
      bool any = false;
      try {
        any = poll_once();
      } catch (const ChannelException&) {
        counters_.channel_write_fail.inc();
      }
      if (!any)
        for (int64_t w = 0; w < poll_ms_ && !stop_; w += 20) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
}

void SpoolDirSource::stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  current_.clear();
  counters_.group->mark_stop();
}

std::string SpoolDirSource::next_file() {
  std::vector<std::pair<int64_t, std::string>> candidates;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dir_, ec)) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file(ec) || name.starts_with(".") || name.ends_with(suffix_) || failed_.count(name)) continue;
    if (!RE2::FullMatch(name, *include_) || RE2::FullMatch(name, *ignore_)) continue;
    struct stat st {};
    if (::stat(e.path().c_str(), &st) != 0) continue;
    candidates.emplace_back(static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, name);
  }
  if (candidates.empty()) return {};
  if (order_ == "random") {
    static std::mt19937 rng{std::random_device{}()};
    return candidates[rng() % candidates.size()].second;
  }
  auto best = order_ == "oldest" ? std::min_element(candidates.begin(), candidates.end())
                                 : std::max_element(candidates.begin(), candidates.end());
  return best->second;
}

void SpoolDirSource::save_pos() {
  std::error_code ec;
  fs::create_directories(tracker_, ec);
  std::string p = tracker_ + "/" + current_ + ".pos", tmp = p + ".tmp";
  std::ofstream out(tmp, std::ios::trunc);
  out << pos_ << "\n";
  out.close();
  if (!out || ::rename(tmp.c_str(), p.c_str()) != 0) {
    if (warn_.allow())
      SLUICE_LOG(Error, name_) << "cannot save the read position in " << tracker_
                               << "; a restart would read " << current_ << " again from the last saved position";
  }
}

std::string SpoolDirSource::decode(std::string line, bool& bad) {
  bad = false;
  if (charset_ != "UTF-8" && charset_ != "utf-8") return line;
  std::string out;
  for (size_t i = 0; i < line.size();) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= line.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(line[i + k]) >> 6) == 2;
    if (ok) {
      out.append(line, i, n);
      i += n;
      continue;
    }
    bad = true;
    if (policy_ == "REPLACE") out += "\xEF\xBF\xBD";
    ++i;
  }
  return out;
}

void SpoolDirSource::finish_file() {
  std::string path = dir_ + "/" + current_;
  struct stat st {};
  ::fstat(fd_, &st);
  ::close(fd_);
  fd_ = -1;
  int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  std::string done = path + suffix_;
  std::string error;
  if (mtime != picked_mtime_ || st.st_size != picked_size_)
    error = "File has been modified since being read: " + path + " (a spooled file must not change once it is placed)";
  else if (!delete_ && fs::exists(done))
    error = "File name has been re-used with different files: " + done + " exists";
  if (!error.empty()) {
    counters_.event_read_fail.inc();
    SLUICE_LOG(Error, name_) << error << "; the file is left in place and not read again";
    failed_.insert(current_);
  } else {
    std::error_code ec;
    if (delete_) fs::remove(path, ec);
    else fs::rename(path, done, ec);
    if (ec) SLUICE_LOG(Error, name_) << "cannot complete " << path << ": " << ec.message();
    else SLUICE_LOG(Info, name_) << "ingested " << path << (delete_ ? " (deleted)" : " -> " + done);
  }
  std::error_code ec;
  fs::remove(tracker_ + "/" + current_ + ".pos", ec);
  current_.clear();
}

bool SpoolDirSource::poll_once() {
  if (current_.empty()) {
    current_ = next_file();
    if (current_.empty()) return false;
    std::string path = dir_ + "/" + current_;
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      if (warn_.allow()) SLUICE_LOG(Warn, name_) << "cannot open " << path << ": " << std::strerror(errno);
      failed_.insert(current_);
      current_.clear();
      return false;
    }
    struct stat st {};
    ::fstat(fd_, &st);
    picked_mtime_ = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    picked_size_ = st.st_size;
    pos_ = 0;
    std::ifstream saved(tracker_ + "/" + current_ + ".pos");
    if (saved >> pos_) SLUICE_LOG(Info, name_) << "resuming " << path << " at byte " << pos_;
  }
  // Read up to batchSize lines from pos_.
  Batch batch;
  uint64_t pos = pos_;
  std::string buf;
  bool eof = false;
  char chunk[65536];
  while (batch.size() < batch_size_) {
    size_t nl = buf.find('\n');
    if (nl == std::string::npos && buf.size() < max_line_ && !eof) {
      ssize_t n = ::pread(fd_, chunk, sizeof chunk, static_cast<off_t>(pos + buf.size()));
      if (n <= 0) eof = true;
      else buf.append(chunk, static_cast<size_t>(n));
      continue;
    }
    size_t len = nl == std::string::npos ? std::min(buf.size(), max_line_) : nl;
    if (len == 0 && nl == std::string::npos) break;  // end of file
    bool piece = len > max_line_ || (nl == std::string::npos && !eof);
    if (len > max_line_) len = max_line_;
    size_t consumed = (nl != std::string::npos && !piece) ? nl + 1 : len;
    std::string text = buf.substr(0, len);
    if (!text.empty() && text.back() == '\r' && !piece) text.pop_back();
    bool bad = false;
    text = decode(std::move(text), bad);
    if (bad && policy_ == "FAIL") {
      counters_.event_read_fail.inc();
      SLUICE_LOG(Error, name_) << dir_ << "/" << current_ << " has invalid " << charset_ << " at byte " << pos
                               << " (decodeErrorPolicy = FAIL); the file is left in place";
      failed_.insert(current_);
      ::close(fd_);
      fd_ = -1;
      current_.clear();
      return false;
    }
    Event e(std::move(text));
    if (piece) e.headers.set("spooldir.split", "true");
    if (file_header_) e.headers.set(file_key_, dir_ + "/" + current_);
    if (base_header_) e.headers.set(base_key_, current_);
    batch.push_back(std::move(e));
    pos += consumed;
    buf.erase(0, consumed);
  }
  if (!batch.empty()) {
    size_t n = batch.size();
    counters_.events_received.inc(static_cast<int64_t>(n));
    processor().process(std::move(batch));  // ChannelException: pos_ unchanged, read again next time
    counters_.events_accepted.inc(static_cast<int64_t>(n));
    pos_ = pos;
    save_pos();
    return true;
  }
  finish_file();
  return true;
}

}  // namespace sluice
