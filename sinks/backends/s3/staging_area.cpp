#include "sinks/backends/s3/staging_area.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace sluice::s3 {
namespace fs = std::filesystem;
namespace json = boost::json;

StagingArea::StagingArea(std::string dir, uint64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw std::runtime_error("S3 staging directory " + dir_ + ": " + ec.message());
}

uint64_t StagingArea::used_bytes() const {
  std::lock_guard l(mu_);
  return used_;
}

void StagingArea::reserve(uint64_t n, std::chrono::milliseconds wait) {
  std::unique_lock l(mu_);
  if (!cv_.wait_for(l, wait, [&] { return used_ + n <= max_bytes_; }))
    throw StagingFullError("S3 staging full: " + std::to_string(used_) + " of " + std::to_string(max_bytes_) +
                           " bytes in " + dir_ + " wait for uploads (need " + std::to_string(n) +
                           " more); backing off");
  used_ += n;
}

void StagingArea::release(uint64_t n) {
  {
    std::lock_guard l(mu_);
    used_ -= std::min(n, used_);
  }
  cv_.notify_all();
}

std::string StagingArea::new_id() {
  std::lock_guard l(mu_);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch()).count();
  return std::to_string(ms) + "-" + std::to_string(::getpid()) + "-" + std::to_string(++seq_);
}

void StagingArea::hold(const std::string& id) {
  std::lock_guard l(mu_);
  held_.insert(id);
}

void StagingArea::let_go(const std::string& id) {
  std::lock_guard l(mu_);
  held_.erase(id);
}

void StagingArea::leave(const std::string& id, uint64_t n) {
  std::lock_guard l(mu_);
  held_.erase(id);
  left_[id] += n;  // still in used_
}

void StagingArea::forget(const std::string& id) {
  uint64_t n = 0;
  {
    std::lock_guard l(mu_);
    auto it = left_.find(id);
    if (it == left_.end()) return;
    n = it->second;
    left_.erase(it);
  }
  release(n);
}

std::vector<std::string> StagingArea::staged_ids() const {
  std::vector<std::string> ids;
  std::lock_guard l(mu_);
  for (const auto& e : fs::directory_iterator(dir_))
    if (e.path().extension() == ".journal" && !held_.count(e.path().stem().string()))
      ids.push_back(e.path().stem().string());
  std::sort(ids.begin(), ids.end());
  return ids;
}

Journal::Journal(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "S3 staging journal " + path);
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::write(const std::string& line) {
  std::string rec = line + "\n";
  const char* p = rec.data();
  size_t left = rec.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "S3 staging journal " + path_);
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fdatasync(fd_) != 0) throw std::system_error(errno, std::generic_category(), "fsync " + path_);
}

void Journal::begin(const std::string& bucket, const std::string& key, const ObjectOptions& o, uint64_t part_size) {
  json::object meta;
  for (const auto& [k, v] : o.metadata) meta[k] = v;
  write(json::serialize(json::object{{"op", "begin"}, {"bucket", bucket}, {"key", key}, {"part_size", part_size},
                                     {"content_type", o.content_type}, {"content_encoding", o.content_encoding},
                                     {"storage_class", o.storage_class}, {"acl", o.acl}, {"sse", o.sse},
                                     {"kms_key_id", o.kms_key_id}, {"metadata", meta}}));
}
void Journal::upload(const std::string& id) { write(json::serialize(json::object{{"op", "upload"}, {"id", id}})); }
void Journal::part(const CompletedPart& p, uint64_t end) {
  write(json::serialize(json::object{{"op", "part"}, {"n", p.number}, {"etag", p.etag}, {"end", end}}));
}
void Journal::flushed(uint64_t len) { write(json::serialize(json::object{{"op", "flushed"}, {"len", len}})); }
void Journal::completed() { write(json::serialize(json::object{{"op", "complete"}})); }

std::optional<StagedObject> read_journal(const std::string& dir, const std::string& id) {
  std::ifstream in(dir + "/" + id + ".journal");
  if (!in) return std::nullopt;
  StagedObject s;
  s.id = id;
  bool begun = false;
  std::string line;
  auto str = [](const json::object& o, const char* k) {
    auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  auto num = [](const json::object& o, const char* k) -> uint64_t {
    auto* v = o.if_contains(k);
    return v && v->is_int64() ? static_cast<uint64_t>(v->as_int64()) : (v && v->is_uint64() ? v->as_uint64() : 0);
  };
  while (std::getline(in, line)) {
    boost::system::error_code ec;
    auto jv = json::parse(line, ec);
    if (ec || !jv.is_object()) break;  // torn tail after a crash: everything before it stands
    const auto& o = jv.as_object();
    std::string op = str(o, "op");
    if (op == "begin") {
      begun = true;
      s.bucket = str(o, "bucket");
      s.key = str(o, "key");
      s.part_size = num(o, "part_size");
      s.options.content_type = str(o, "content_type");
      s.options.content_encoding = str(o, "content_encoding");
      s.options.storage_class = str(o, "storage_class");
      s.options.acl = str(o, "acl");
      s.options.sse = str(o, "sse");
      s.options.kms_key_id = str(o, "kms_key_id");
      if (auto* m = o.if_contains("metadata"); m && m->is_object())
        for (const auto& kv : m->as_object())
          if (kv.value().is_string()) s.options.metadata[std::string(kv.key())] = std::string(kv.value().as_string());
    } else if (op == "upload") {
      s.upload_id = str(o, "id");
      s.parts.clear();
      s.parts_end = 0;
    } else if (op == "part") {
      s.parts.push_back({static_cast<int>(num(o, "n")), str(o, "etag")});
      s.parts_end = std::max(s.parts_end, num(o, "end"));
    } else if (op == "flushed") {
      s.flushed = num(o, "len");
    } else if (op == "complete") {
      s.completed = true;
    }
  }
  if (!begun) return std::nullopt;
  std::sort(s.parts.begin(), s.parts.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
  return s;
}

}  // namespace sluice::s3
