#include "sources/http_poll/poll_state.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sluice::http_poll {
namespace json = boost::json;

PollState load_poll_state(const std::string& path) {
  PollState s;
  std::ifstream in(path);
  if (!in) {
    if (!std::filesystem::exists(path)) return s;
    throw std::runtime_error("cannot read state file " + path + ": " + std::strerror(errno));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  boost::system::error_code ec;
  json::value v = json::parse(buf.str(), ec);
  if (ec || !v.is_object()) throw std::runtime_error("state file " + path + " is not a JSON object");
  const auto& o = v.as_object();
  auto str = [&](const char* key) -> std::string {
    const json::value* f = o.if_contains(key);
    return f && f->is_string() ? std::string(f->as_string()) : std::string();
  };
  s.etag = str("etag");
  s.last_modified = str("lastModified");
  s.resume_url = str("resumeUrl");
  s.lines.prefix_sha256 = str("linesSha256");
  if (const json::value* off = o.if_contains("linesOffset"); off && off->is_number())
    s.lines.offset = off->to_number<uint64_t>();
  return s;
}

void save_poll_state(const std::string& path, const PollState& s) {
  json::object o;
  o["etag"] = s.etag;
  o["lastModified"] = s.last_modified;
  o["linesOffset"] = s.lines.offset;
  o["linesSha256"] = s.lines.prefix_sha256;
  o["resumeUrl"] = s.resume_url;
  std::string text = json::serialize(o) + "\n";
  std::string tmp = path + ".tmp";
  auto fail = [&](const std::string& what) {
    return std::runtime_error("cannot " + what + " state file " + tmp + ": " + std::strerror(errno));
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw fail("create");
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto e = fail("write");
      ::close(fd);
      throw e;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto e = fail("sync");
    ::close(fd);
    throw e;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  // The rename itself is durable once the directory is synced.
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace sluice::http_poll
