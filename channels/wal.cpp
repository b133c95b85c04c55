#include "channels/wal.hpp"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "agent/avro/flume_event.hpp"

namespace sluice::wal {
namespace fs = std::filesystem;

namespace {
constexpr uint32_t kMagic = 0x4C574C53;  // "SLWL"
constexpr size_t kHeader = 4 + 1 + 8 + 8 + 4;

template <typename T>
void put(std::string& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out += static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xFF);
}
template <typename T>
T get(const char* p) {
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return static_cast<T>(v);
}
}  // namespace

void append_record(std::string& out, RecordType type, uint64_t tx, uint64_t id, std::string_view payload) {
  size_t start = out.size();
  put<uint32_t>(out, kMagic);
  out += static_cast<char>(type);
  put<uint64_t>(out, tx);
  put<uint64_t>(out, id);
  put<uint32_t>(out, static_cast<uint32_t>(payload.size()));
  out.append(payload);
  uLong crc = crc32(0, reinterpret_cast<const Bytef*>(out.data() + start + 4), static_cast<uInt>(out.size() - start - 4));
  put<uint32_t>(out, static_cast<uint32_t>(crc));
}

std::string log_path(const std::string& dir, uint32_t n) { return dir + "/log-" + std::to_string(n); }

std::vector<uint32_t> log_files(const std::string& dir) {
  std::vector<uint32_t> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.starts_with("log-") && name.size() > 4 &&
        std::all_of(name.begin() + 4, name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      out.push_back(static_cast<uint32_t>(std::stoul(name.substr(4))));
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {
struct Pending {
  std::vector<std::pair<uint64_t, LiveEvent>> puts;
  std::vector<uint64_t> takes;
};

// Applies one file's records to r: committed puts to r.live, committed takes to taken.
// Records are read from `start` on (the end of the file at a checkpoint).
void replay_file(const std::string& path, uint32_t n, size_t start, bool newest_in_dir, bool skip_corrupt,
                 Replayed& r, std::unordered_set<uint64_t>& taken) {
  std::unordered_map<uint64_t, Pending> open;
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string data = ss.str();
  ++r.files_read;
  size_t off = start;
  while (off < data.size()) {
    bool ok = data.size() - off >= kHeader && get<uint32_t>(data.data() + off) == kMagic;
    uint32_t len = ok ? get<uint32_t>(data.data() + off + 21) : 0;
    ok = ok && data.size() - off >= kHeader + len + 4;
    if (ok) {
      uLong crc = crc32(0, reinterpret_cast<const Bytef*>(data.data() + off + 4), static_cast<uInt>(kHeader - 4 + len));
      ok = static_cast<uint32_t>(crc) == get<uint32_t>(data.data() + off + kHeader + len);
    }
    if (!ok) {
      // A torn tail (nothing valid after this point in the newest file) is cut off; anything else
      // is corruption.
      bool valid_later = false;
      for (size_t p = off + 1; p + kHeader + 4 <= data.size() && !valid_later; ++p) {
        if (get<uint32_t>(data.data() + p) != kMagic) continue;
        uint32_t l2 = get<uint32_t>(data.data() + p + 21);
        if (p + kHeader + l2 + 4 > data.size()) continue;
        uLong c2 = crc32(0, reinterpret_cast<const Bytef*>(data.data() + p + 4), static_cast<uInt>(kHeader - 4 + l2));
        valid_later = static_cast<uint32_t>(c2) == get<uint32_t>(data.data() + p + kHeader + l2);
      }
      if (!valid_later && newest_in_dir) {
        r.truncated_bytes += data.size() - off;
        if (::truncate(path.c_str(), static_cast<off_t>(off)) != 0)
          throw CorruptLog("cannot truncate the torn tail of " + path + " at offset " + std::to_string(off));
        break;
      }
      if (!skip_corrupt)
        throw CorruptLog("corrupt record in " + path + " at offset " + std::to_string(off) +
                         " (set skipCorruptRecords = true to skip it and lose that record)");
      ++r.skipped_records;
      size_t next = off + 1;
      while (next + 4 <= data.size() && get<uint32_t>(data.data() + next) != kMagic) ++next;
      off = next;
      continue;
    }
    auto type = static_cast<RecordType>(data[off + 4]);
    uint64_t tx = get<uint64_t>(data.data() + off + 5), id = get<uint64_t>(data.data() + off + 13);
    r.max_tx = std::max(r.max_tx, tx);
    if (type == RecordType::Put) {
      r.max_id = std::max(r.max_id, id);
      open[tx].puts.push_back(
          {id, {avro::decode_flume_event(std::string_view(data).substr(off + kHeader, len)), n, off}});
    } else if (type == RecordType::Take) {
      open[tx].takes.push_back(id);
    } else if (type == RecordType::Commit) {
      auto it = open.find(tx);
      if (it != open.end()) {
        for (auto& [eid, ev] : it->second.puts) r.live.emplace(eid, std::move(ev));
        taken.insert(it->second.takes.begin(), it->second.takes.end());
        open.erase(it);
      }
    }
    off += kHeader + len + 4;
  }
  // transactions without a commit record were never acknowledged: dropped (rolled back)
}
}  // namespace

namespace {
// Reads the put record of event id at offset in path (an event a checkpoint lists).
Event read_put(std::ifstream& in, const std::string& path, uint64_t offset, uint64_t id) {
  in.clear();
  std::string head(kHeader, '\0');
  if (!in || !in.seekg(static_cast<std::streamoff>(offset)) || !in.read(head.data(), kHeader))
    throw CorruptLog("the checkpoint lists event " + std::to_string(id) + " at offset " + std::to_string(offset) +
                     " of " + path + ", which cannot be read");
  uint32_t len = get<uint32_t>(head.data() + 21);
  std::string rest(len + 4, '\0');
  bool ok = get<uint32_t>(head.data()) == kMagic && static_cast<RecordType>(head[4]) == RecordType::Put &&
            get<uint64_t>(head.data() + 13) == id && in.read(rest.data(), len + 4);
  if (ok) {
    std::string rec = head + rest;
    uLong crc = crc32(0, reinterpret_cast<const Bytef*>(rec.data() + 4), static_cast<uInt>(kHeader - 4 + len));
    ok = static_cast<uint32_t>(crc) == get<uint32_t>(rec.data() + kHeader + len);
  }
  if (!ok)
    throw CorruptLog("the checkpoint lists event " + std::to_string(id) + " at offset " + std::to_string(offset) +
                     " of " + path + ", but no valid put record of it is there");
  return avro::decode_flume_event(std::string_view(rest).substr(0, len));
}
}  // namespace

Replayed replay(const std::vector<std::string>& dirs, bool skip_corrupt, const Checkpoint* from) {
  Replayed r;
  std::unordered_set<uint64_t> taken;
  for (size_t di = 0; di < dirs.size(); ++di) {
    auto files = log_files(dirs[di]);
    for (size_t fi = 0; fi < files.size(); ++fi) {
      uint32_t n = files[fi];
      if (!r.file_dir.emplace(n, di).second)
        throw CorruptLog("log-" + std::to_string(n) + " is in both " + dirs[r.file_dir[n]] + " and " + dirs[di] +
                         " (were the dataDirs of two channels mixed?)");
      r.max_file = std::max(r.max_file, n);
      size_t start = 0;
      if (from && n <= from->max_file) {
        auto it = from->active.find(n);
        if (it == from->active.end()) continue;  // complete before the checkpoint
        start = it->second;
      }
      replay_file(log_path(dirs[di], n), n, start, fi + 1 == files.size(), skip_corrupt, r, taken);
    }
  }
  if (from) {
    std::map<uint32_t, std::ifstream> opened;
    for (auto& e : from->live) {
      if (taken.count(e.id)) continue;  // taken after the checkpoint (its file may be gone)
      auto d = r.file_dir.find(e.file);
      // LogWriter deletes a file only once every put in it was taken and committed, and only in file
      // number order: a listed file below the oldest one left was consumed after the checkpoint (its
      // take records may have gone with a later deleted file). Anything else is missing data.
      if (d == r.file_dir.end() && !r.file_dir.empty() && e.file < r.file_dir.begin()->first) continue;
      if (d == r.file_dir.end())
        throw CorruptLog("the checkpoint lists event " + std::to_string(e.id) + " in log-" + std::to_string(e.file) +
                         ", which is in none of the dataDirs");
      std::string path = log_path(dirs[d->second], e.file);
      auto [in, fresh] = opened.try_emplace(e.file);
      if (fresh) in->second.open(path, std::ios::binary);
      r.live.emplace(e.id, LiveEvent{read_put(in->second, path, e.offset, e.id), e.file, e.offset});
    }
    r.max_id = std::max(r.max_id, from->next_id - 1);
    r.max_tx = std::max(r.max_tx, from->next_tx - 1);
    r.max_file = std::max(r.max_file, from->max_file);
  }
  for (uint64_t id : taken) r.live.erase(id);
  return r;
}

}  // namespace sluice::wal
