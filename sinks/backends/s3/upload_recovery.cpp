// recover_staged_uploads(): finishes objects left in staging by a process that died (see
// multipart_upload.hpp). Only flushed bytes are uploaded: bytes after the last "flushed" record were
// never committed by the sink, so its channel still has those events.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <cstring>
#include <set>

#include "agent/log.hpp"
#include "sinks/backends/s3/multipart_upload.hpp"

namespace sluice::s3 {
namespace {

std::string read_range(int fd, uint64_t begin, uint64_t end, const std::string& path) {
  std::string out(end - begin, '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(begin + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("staging file " + path + " is shorter than its journal says");
    got += static_cast<size_t>(n);
  }
  return out;
}

struct FileCloser {
  int fd;
  ~FileCloser() {
    if (fd >= 0) ::close(fd);
  }
};

// Uploads the missing parts of one staged object and completes it. Throws on failure.
void finish(S3Client& client, const std::string& dir, StagedObject& s) {
  std::string data_path = dir + "/" + s.id + ".data";
  FileCloser f{::open(data_path.c_str(), O_RDWR | O_CLOEXEC)};
  if (f.fd < 0) throw std::runtime_error("cannot open " + data_path + ": " + std::strerror(errno));
  Journal journal(dir + "/" + s.id + ".journal");
  const uint64_t ps = s.part_size ? s.part_size : kMinPartSize;
  const uint64_t full_parts = s.flushed / ps;
  if (s.upload_id.empty() && full_parts == 0) {
    client.put_object(s.bucket, s.key, read_range(f.fd, 0, s.flushed, data_path), s.options);
    journal.completed();
    return;
  }
  bool restarted = false;
  if (s.upload_id.empty()) {
    s.upload_id = client.create_multipart_upload(s.bucket, s.key, s.options);
    journal.upload(s.upload_id);
    restarted = true;
  }
  std::set<int> done;
  for (const auto& p : s.parts) done.insert(p.number);
  const uint64_t last_number = full_parts + (s.flushed % ps ? 1 : 0);
  for (uint64_t n = 1; n <= last_number; ++n) {
    if (done.count(static_cast<int>(n))) continue;
    uint64_t begin = (n - 1) * ps, end = std::min(n * ps, s.flushed);
    CompletedPart p{static_cast<int>(n), {}};
    try {
      p.etag = client.upload_part(s.bucket, s.key, s.upload_id, p.number, read_range(f.fd, begin, end, data_path));
    } catch (const S3Error& e) {
      // The upload vanished (aborted, expired). Without completed parts we can start it again.
      if (e.code() != "NoSuchUpload" || !s.parts.empty() || restarted) throw;
      s.upload_id = client.create_multipart_upload(s.bucket, s.key, s.options);
      journal.upload(s.upload_id);
      restarted = true;
      n = 0;  // upload every part again
      continue;
    }
    journal.part(p, end);
    s.parts.push_back(p);
  }
  std::sort(s.parts.begin(), s.parts.end(), [](auto& a, auto& b) { return a.number < b.number; });
  try {
    client.complete_multipart_upload(s.bucket, s.key, s.upload_id, s.parts);
  } catch (const S3Error& e) {
    // Completed before the crash but not journaled: the object is there with the right size.
    if (e.code() != "NoSuchUpload") throw;
    bool present = false;
    for (const auto& o : client.list_objects_v2(s.bucket, s.key).objects) present |= (o.key == s.key && o.size == s.flushed);
    if (!present) throw;
  }
  journal.completed();
}

}  // namespace

RecoveryReport recover_staged_uploads(S3Client& client, StagingArea& staging, const MultipartOptions&) {
  RecoveryReport report;
  namespace fs = std::filesystem;
  const std::string& dir = staging.dir();
  for (const auto& id : staging.staged_ids()) {
    std::error_code ec;
    auto s = read_journal(dir, id);
    if (!s || (!s->completed && s->flushed == 0)) {
      // Nothing was ever flushed (so nothing committed): the files are leftovers.
      fs::remove(dir + "/" + id + ".data", ec);
      fs::remove(dir + "/" + id + ".journal", ec);
      staging.forget(id);
      continue;
    }
    if (!s->completed) {
      try {
        finish(client, dir, *s);
        SLUICE_LOG(Info, "s3") << "recovered s3://" << s->bucket << "/" << s->key << " (" << s->flushed
                               << " bytes) from staging " << id;
      } catch (const std::exception& e) {
        bool retryable = false;
        if (auto* s3e = dynamic_cast<const S3Error*>(&e)) retryable = s3e->retryable();
        report.failed.push_back(s->key + ": " + e.what());
        SLUICE_LOG(Error, "s3") << "cannot recover s3://" << s->bucket << "/" << s->key << " from staging " << id
                                << ": " << e.what();
        if (!retryable) {  // keep the bytes for an operator, out of the way of the next recovery
          fs::rename(dir + "/" + id + ".data", dir + "/" + id + ".data.failed", ec);
          fs::rename(dir + "/" + id + ".journal", dir + "/" + id + ".journal.failed", ec);
          staging.forget(id);  // out of the sink's way: an operator's now (logged above)
        }
        continue;
      }
    }
    fs::remove(dir + "/" + id + ".data", ec);
    fs::remove(dir + "/" + id + ".journal", ec);
    staging.forget(id);
    report.completed.push_back(s->key);
    report.completed_urls.push_back("s3://" + s->bucket + "/" + s->key);
  }
  return report;
}

}  // namespace sluice::s3
