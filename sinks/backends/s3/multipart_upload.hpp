// Streaming S3 object writer for the roller: bytes are appended while a file grows; flush() makes
// them durable in local staging (see staging_area.hpp) and then uploads every full part (part size
// >= 5 MiB) in the background, with at most `max_parallel_uploads` parts in flight. close() uploads
// the tail and completes the multipart upload, or does a single PutObject when the object is small.
// The object appears in S3 only when complete.
//
// Failure contract:
//   - flush() returning means every appended byte is fsync'ed locally: the sink may commit.
//   - discard_unflushed() drops bytes appended since the last flush (the sink rolled back).
//   - A failed part upload (after the client's retries) makes later calls throw; the staging files
//     stay, and recover_staged_uploads() finishes the object later (at start-up, or on retry).
//   - A non-retryable S3 error (AccessDenied, NoSuchBucket, ...) aborts the multipart upload.
//   - abort() aborts the upload and deletes the staging files (the caller discards the object).
#pragma once
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "sinks/backends/s3/s3_client.hpp"
#include "sinks/backends/s3/staging_area.hpp"

namespace sluice::s3 {

inline constexpr uint64_t kMinPartSize = 5ull * 1024 * 1024;
inline constexpr int kMaxParts = 10000;

struct MultipartOptions {
  uint64_t part_size = 8ull * 1024 * 1024;  // >= kMinPartSize (S3's minimum for all but the last part)
  size_t max_parallel_uploads = 4;
  std::chrono::milliseconds staging_wait{5000};  // how long append() waits for staging room
};

class MultipartWriter {
 public:
  MultipartWriter(S3Client& client, StagingArea& staging, std::string bucket, std::string key, ObjectOptions object,
                  MultipartOptions opts);
  // Leaves staging files in place unless the object was completed or aborted (recovery finishes it).
  ~MultipartWriter();
  MultipartWriter(const MultipartWriter&) = delete;
  MultipartWriter& operator=(const MultipartWriter&) = delete;

  // Creates the staging files (no network yet). Throws on I/O errors.
  void open();
  // Appends to staging (not yet durable). Throws StagingFullError when staging stays full.
  void append(std::string_view data);
  // fsyncs staging, then starts uploads of the parts that are now full. Throws if an earlier part failed.
  void flush();
  // Forgets bytes appended after the last flush().
  void discard_unflushed();
  // flush(), upload the rest, complete (or PutObject if small). The object exists when this returns.
  void close();
  // Aborts the multipart upload (if any) and deletes the staging files.
  void abort();

  uint64_t length() const { return length_; }    // bytes appended
  uint64_t flushed() const { return flushed_; }  // bytes durable in staging
  const std::string& key() const { return key_; }
  const std::string& staging_id() const { return id_; }
  int parts_completed() const { return static_cast<int>(completed_.size()); }

 private:
  struct InFlight {
    int number;
    uint64_t begin, end;
    std::future<std::string> etag;
  };
  void start_upload_if_needed();
  void dispatch_full_parts();
  void harvest(bool wait_all, bool wait_one = false);
  void check_failed() const;
  void fail(const std::exception_ptr& e);
  void remove_files();

  S3Client& client_;
  StagingArea& staging_;
  std::string bucket_, key_;
  ObjectOptions object_;
  MultipartOptions opts_;
  std::string id_, data_path_;
  int fd_ = -1;
  std::unique_ptr<Journal> journal_;
  std::string pending_;         // bytes [dispatched_, length_) not yet handed to a part upload
  uint64_t dispatched_ = 0;     // object offset where pending_ starts
  uint64_t length_ = 0, flushed_ = 0;
  uint64_t reserved_ = 0;       // staging bytes this writer holds
  std::string upload_id_;
  std::vector<InFlight> in_flight_;
  std::vector<CompletedPart> completed_;
  std::exception_ptr failure_;
  bool finished_ = false;
};

struct RecoveryReport {
  std::vector<std::string> completed;       // keys of objects now complete in S3
  std::vector<std::string> completed_urls;  // the same as s3://bucket/key
  std::vector<std::string> failed;     // "key: reason" for objects that could not be finished
};

// Finishes every object in `staging` that no live writer holds (left by an earlier process, or by a
// writer of this process that failed and was destroyed): continues its multipart upload
// from the completed parts (or starts again when it had none) with the flushed bytes only, completes
// it and deletes the staging files. An object whose upload vanished after some parts completed
// cannot be rebuilt: its files are renamed *.failed and it is reported. Safe to call while other
// writers are open (at start-up, and again after a writer failed). Retryable failures keep the
// files for the next call.
RecoveryReport recover_staged_uploads(S3Client& client, StagingArea& staging, const MultipartOptions& opts);

}  // namespace sluice::s3
