// Local staging for S3 uploads. Object stores have no flush, so every byte a sink commits is first
// appended to <dir>/<id>.data and fsync'ed, with a journal <dir>/<id>.journal (one JSON record per
// line, fsync'ed) telling which object it belongs to, the multipart upload id, the completed parts
// and the flushed length. After a crash recover_staged_uploads() (multipart_upload.hpp) reads them
// back. Completed parts' byte ranges are punched out of the data file, so staging holds only bytes
// not yet in a completed part; the area's total is bounded and reserve() waits, then throws
// StagingFullError so the sink backs off instead of filling the disk.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "sinks/backends/s3/s3_client.hpp"

namespace sluice::s3 {

class StagingFullError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StagingArea {
 public:
  StagingArea(std::string dir, uint64_t max_bytes);
  const std::string& dir() const { return dir_; }
  uint64_t max_bytes() const { return max_bytes_; }
  uint64_t used_bytes() const;
  // Blocks up to `wait` for n bytes of room; throws StagingFullError when there is none by then.
  void reserve(uint64_t n, std::chrono::milliseconds wait);
  void release(uint64_t n);
  // A fresh, unique id for a new staged object ("<ms>-<pid>-<seq>").
  std::string new_id();
  // Ids of staged objects in the directory (those with a journal) that no live writer of this
  // process holds: the ones recovery may take over.
  std::vector<std::string> staged_ids() const;
  // A live MultipartWriter holds its id from open() until it is destroyed.
  void hold(const std::string& id);
  void let_go(const std::string& id);
  // A writer destroyed before its object was complete leaves its n bytes on disk for recovery: they
  // stay counted against max_bytes (so an outage cannot stage without bound) until recovery has
  // dealt with the id (forget()). leave() also lets go of the id.
  void leave(const std::string& id, uint64_t n);
  void forget(const std::string& id);

 private:
  std::string dir_;
  uint64_t max_bytes_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t used_ = 0;
  uint64_t seq_ = 0;
  std::set<std::string> held_;
  std::map<std::string, uint64_t> left_;  // id -> bytes left on disk for recovery
};

// What a journal says about one staged object.
struct StagedObject {
  std::string id;
  std::string bucket;
  std::string key;
  ObjectOptions options;
  uint64_t part_size = 0;
  std::string upload_id;
  std::vector<CompletedPart> parts;
  uint64_t parts_end = 0;  // object offset where the completed parts end
  uint64_t flushed = 0;    // bytes known durable (fsync'ed) in the data file
  bool completed = false;  // the object exists in S3; only the files are left to delete
};

// Append-only journal writer; each record is fsync'ed before the call returns.
class Journal {
 public:
  explicit Journal(const std::string& path);  // creates or appends; throws std::system_error
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  void begin(const std::string& bucket, const std::string& key, const ObjectOptions& o, uint64_t part_size);
  void upload(const std::string& upload_id);
  void part(const CompletedPart& p, uint64_t end_offset);
  void flushed(uint64_t length);
  void completed();

 private:
  void write(const std::string& line);
  std::string path_;
  int fd_ = -1;
};

// Reads <dir>/<id>.journal. A torn last line (crash mid-write) is ignored; nullopt if no begin record.
std::optional<StagedObject> read_journal(const std::string& dir, const std::string& id);

}  // namespace sluice::s3
