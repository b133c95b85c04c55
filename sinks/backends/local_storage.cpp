#include "sinks/backends/local_storage.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::storage {
namespace fs = std::filesystem;

namespace {

StorageError sys_error(const std::string& what, const std::string& path) {
  return StorageError(what + " " + path + ": " + std::strerror(errno));
}

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

class LocalFile : public OutputFile {
 public:
  LocalFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~LocalFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  void write(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw sys_error("cannot write", path_);
      }
      data.remove_prefix(static_cast<size_t>(n));
      size_ += static_cast<uint64_t>(n);
    }
  }
  void sync() override {
    if (::fsync(fd_) != 0) throw sys_error("cannot fsync", path_);
  }
  void close() override {
    if (fd_ < 0) return;
    int rc = ::fsync(fd_);
    ::close(fd_);
    fd_ = -1;
    if (rc != 0) throw sys_error("cannot fsync", path_);
  }
  uint64_t size() const override { return size_; }

 private:
  int fd_;
  std::string path_;
  uint64_t size_ = 0;
};

}  // namespace

std::unique_ptr<OutputFile> LocalStorage::create(const std::string& path) {
  fs::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) {
    fs::create_directories(p.parent_path(), ec);
    if (ec) throw StorageError("cannot create directory " + p.parent_path().string() + ": " + ec.message());
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw sys_error("cannot create", path);
  fsync_dir(p.parent_path().string());
  return std::make_unique<LocalFile>(fd, path);
}

void LocalStorage::rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) throw sys_error("cannot rename " + from + " to", to);
  fsync_dir(fs::path(to).parent_path().string());
}

bool LocalStorage::exists(const std::string& path) { return fs::exists(path); }

std::vector<std::string> LocalStorage::list_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) out.push_back(it->path().string());
  }
  return out;
}

std::string LocalStorage::read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw sys_error("cannot read", path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void LocalStorage::remove(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) throw StorageError("cannot remove " + path + ": " + ec.message());
}

}  // namespace sluice::storage
