#include "sinks/file_roll_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>

namespace sluice {

namespace {
std::runtime_error sys_error(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}
}  // namespace

FileRollSink::FileRollSink(const std::string& name, Context& ctx)
    : BatchSink(name, static_cast<size_t>(ctx.get_int("sink.batchSize", 100, "events per transaction", 1))) {
  directory_ = ctx.require_string("sink.directory", "directory the files are written into");
  roll_interval_s_ = ctx.get_int("sink.rollInterval", 30, "seconds before starting a new file (0: never)", 0);
  header_and_text_ = ctx.get_choice("sink.serializer", "TEXT", {"TEXT", "header_and_text"},
                                    "TEXT: body per line; header_and_text: {headers} body") == "header_and_text";
  append_newline_ = ctx.get_bool("sink.serializer.appendNewline", true, "end each event with a newline");
  roll_time_names_ = ctx.get_choice("sink.pathManager", "DEFAULT", {"DEFAULT", "ROLLTIME"},
                                    "file naming: DEFAULT (start millis) or ROLLTIME (roll time)") == "ROLLTIME";
  prefix_ = ctx.get_string("sink.pathManager.prefix", "", "file name prefix");
  extension_ = ctx.get_string("sink.pathManager.extension", "", "file name extension (without the dot)");
}

FileRollSink::~FileRollSink() { close_file(); }

void FileRollSink::start() {
  series_ms_ = now_ms();
  index_ = 0;
  next_roll_ = std::chrono::steady_clock::now() + std::chrono::seconds(roll_interval_s_);
  BatchSink::start();
}

void FileRollSink::stop() {
  close_file();
  BatchSink::stop();
}

void FileRollSink::open_next() {
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  if (ec) throw std::runtime_error("cannot create directory " + directory_ + ": " + ec.message());
  std::string stamp;
  if (roll_time_names_) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
    stamp = buf;
  } else {
    stamp = std::to_string(series_ms_);
  }
  std::string file = prefix_ + stamp + "-" + std::to_string(index_ + 1) + (extension_.empty() ? "" : "." + extension_);
  std::string path = directory_ + "/" + file;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw sys_error("cannot open", path);
  ++index_;
  fd_ = fd;
  path_ = path;
  counters_.connection_created.inc();
}

void FileRollSink::close_file() {
  if (fd_ < 0) return;
  ::fsync(fd_);
  ::close(fd_);
  fd_ = -1;
  counters_.connection_closed.inc();
}

void FileRollSink::roll_if_due() {
  if (roll_interval_s_ > 0 && std::chrono::steady_clock::now() >= next_roll_) {
    close_file();
    next_roll_ = std::chrono::steady_clock::now() + std::chrono::seconds(roll_interval_s_);
  }
  if (fd_ < 0) open_next();
}

void FileRollSink::idle() {
  // Flume opens a new file every interval even when idle; so do we, so consumers see the same files.
  if (roll_interval_s_ > 0 && std::chrono::steady_clock::now() >= next_roll_) {
    close_file();
    next_roll_ = std::chrono::steady_clock::now() + std::chrono::seconds(roll_interval_s_);
  }
}

void FileRollSink::deliver(const Batch& batch) {
  roll_if_due();
  buffer_.clear();
  for (const auto& e : batch) {
    if (header_and_text_) {
      // Flume's HeaderAndBodyTextEventSerializer writes the header map as Java's Map.toString().
      buffer_ += '{';
      bool first = true;
      for (const auto& [k, v] : e.headers) {
        if (!first) buffer_ += ", ";
        buffer_ += k;
        buffer_ += '=';
        buffer_ += v;
        first = false;
      }
      buffer_ += "} ";
    }
    buffer_ += e.body;
    if (append_newline_) buffer_ += '\n';
  }
  size_t off = 0;
  while (off < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + off, buffer_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto err = sys_error("cannot write", path_);
      close_file();  // the next attempt opens a fresh file; the partial write stays (at-least-once)
      throw err;
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd_) != 0) {
    auto err = sys_error("cannot fsync", path_);
    close_file();
    throw err;
  }
}

}  // namespace sluice
