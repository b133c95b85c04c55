#include "channels/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sluice::checkpoint {

namespace {
constexpr uint32_t kMagic = 0x50434C53;  // "SLCP"
constexpr uint32_t kVersion = 1;

template <typename T>
void put(std::string& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out += static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xFF);
}

// Reads little-endian integers, failing (instead of reading past the end) on a short file.
struct Reader {
  const std::string& data;
  size_t off = 0;
  template <typename T>
  T get() {
    if (data.size() - off < sizeof(T)) throw std::runtime_error("is cut short");
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(data[off + i])) << (8 * i);
    off += sizeof(T);
    return static_cast<T>(v);
  }
};

void write_all(int fd, const std::string& data, const std::string& p) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("cannot write " + p + ": " + std::strerror(errno));
    off += static_cast<size_t>(n);
  }
}
}  // namespace

// Not Flume's name ("checkpoint"): a checkpointDir shared with a Flume install keeps Flume's file.
std::string path(const std::string& dir) { return dir + "/sluice-checkpoint"; }

void write(const std::string& dir, const Checkpoint& cp) {
  std::string out;
  out.reserve(40 + cp.active.size() * 12 + cp.live.size() * 20);
  put<uint32_t>(out, kMagic);
  put<uint32_t>(out, kVersion);
  put<uint64_t>(out, cp.next_id);
  put<uint64_t>(out, cp.next_tx);
  put<uint32_t>(out, cp.max_file);
  put<uint32_t>(out, static_cast<uint32_t>(cp.active.size()));
  for (auto& [file, end] : cp.active) {
    put<uint32_t>(out, file);
    put<uint64_t>(out, end);
  }
  put<uint64_t>(out, cp.live.size());
  for (auto& e : cp.live) {
    put<uint64_t>(out, e.id);
    put<uint32_t>(out, e.file);
    put<uint64_t>(out, e.offset);
  }
  put<uint32_t>(out, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size()))));

  std::string final_path = path(dir), tmp = final_path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(errno));
  try {
    write_all(fd, out, tmp);
    if (::fsync(fd) != 0) throw std::runtime_error("cannot fsync " + tmp + ": " + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0)
    throw std::runtime_error("cannot rename " + tmp + " to " + final_path + ": " + std::strerror(errno));
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::optional<Checkpoint> read(const std::string& dir) {
  std::string p = path(dir);
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string data = ss.str();
  try {
    if (data.size() < 4) throw std::runtime_error("is cut short");
    uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size() - 4)));
    Reader r{data};
    r.off = data.size() - 4;
    if (r.get<uint32_t>() != crc) throw std::runtime_error("has a bad CRC");
    data.resize(data.size() - 4);
    r.off = 0;
    if (r.get<uint32_t>() != kMagic) throw std::runtime_error("is not a sluice checkpoint");
    if (uint32_t v = r.get<uint32_t>(); v != kVersion) throw std::runtime_error("has unknown version " + std::to_string(v));
    Checkpoint cp;
    cp.next_id = r.get<uint64_t>();
    cp.next_tx = r.get<uint64_t>();
    cp.max_file = r.get<uint32_t>();
    for (uint32_t n = r.get<uint32_t>(); n > 0; --n) {
      uint32_t file = r.get<uint32_t>();
      cp.active[file] = r.get<uint64_t>();
    }
    uint64_t n = r.get<uint64_t>();
    if (n > data.size() / 20) throw std::runtime_error("is cut short");
    cp.live.reserve(n);
    for (; n > 0; --n) {
      Checkpoint::Entry e{};
      e.id = r.get<uint64_t>();
      e.file = r.get<uint32_t>();
      e.offset = r.get<uint64_t>();
      cp.live.push_back(e);
    }
    return cp;
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("checkpoint " + p + " " + e.what());
  }
}

}  // namespace sluice::checkpoint
