#include "sources/taildir/position_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sluice::taildir {

bool load_positions(const std::string& path, std::vector<Position>& out, std::string& error) {
  out.clear();
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return true;
    error = std::string("cannot read: ") + std::strerror(errno);
    return false;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  boost::json::error_code ec;
  auto v = boost::json::parse(buf.str(), ec);
  if (ec) {
    error = "not JSON (" + ec.message() + ")";
    return false;
  }
  if (!v.is_array()) {
    error = "expected a JSON array of {inode, pos, file}";
    return false;
  }
  for (const auto& item : v.as_array()) {
    const auto* o = item.if_object();
    if (!o || !o->contains("inode") || !o->contains("pos") || !o->contains("file") || !o->at("file").is_string()) {
      error = "an entry lacks inode, pos or file";
      return false;
    }
    auto num = [](const boost::json::value& x) -> int64_t {
      if (x.is_int64()) return x.as_int64();
      if (x.is_uint64()) return static_cast<int64_t>(x.as_uint64());
      return -1;
    };
    int64_t inode = num(o->at("inode")), pos = num(o->at("pos"));
    if (inode < 0 || pos < 0) {
      error = "inode and pos must be non-negative integers";
      return false;
    }
    out.push_back({static_cast<uint64_t>(inode), static_cast<uint64_t>(pos), std::string(o->at("file").as_string())});
  }
  return true;
}

void save_positions(const std::string& path, const std::vector<Position>& positions) {
  boost::json::array a;
  for (const auto& p : positions) a.push_back({{"inode", p.inode}, {"pos", p.pos}, {"file", p.file}});
  std::string text = boost::json::serialize(a);
  std::filesystem::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write position file " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot write position file " + path + ": " + std::strerror(errno));
}

}  // namespace sluice::taildir
