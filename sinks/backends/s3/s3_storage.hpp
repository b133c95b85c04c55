// The roller's storage backend for s3://, s3a:// and s3n:// paths (hdfs sink and sink type s3).
// create() returns a streaming multipart writer: write -> append to local staging, sync -> fsync
// staging and upload full parts (so the sink may commit), close -> complete the object. Objects
// appear only when complete, so the sink writes final names directly (no in-use names, no rename).
// A writer that failed leaves its staged bytes behind; they are finished by the next create(), or by
// maintain() once its retry delay has passed (1 s, doubling up to 60 s while S3 keeps failing), so
// nothing committed is lost and nothing waits for the sink's next file.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>

#include "sinks/backends/s3/s3_store.hpp"
#include "sinks/backends/storage.hpp"

namespace sluice::s3 {

class S3Storage : public storage::Storage {
 public:
  explicit S3Storage(S3Settings settings) : store_(std::move(settings)) {}
  // HeadBucket (clear NoSuchBucket / AccessDenied) and recovery of what an earlier run staged.
  void start(const std::string& bucket);
  // Called with the s3:// path of every object finished from staging (a file cut short by a crash
  // or a failure), e.g. to rewrite a gzip stream that has no trailer.
  void on_recovered(std::function<void(const std::string&)> f) { on_recovered_ = std::move(f); }
  std::unique_ptr<storage::OutputFile> create(const std::string& path) override;
  // metadata.<name> values may name event headers, `%{host}`: resolved from the event that opened
  // the object (characters an HTTP header cannot carry become '_'; a missing header is empty).
  std::unique_ptr<storage::OutputFile> create_for(const std::string& path, const Headers& opening_event) override;
  void rename(const std::string& from, const std::string& to) override;  // only from == to
  bool exists(const std::string& path) override;
  std::vector<std::string> list_files(const std::string& dir) override;
  std::string read_all(const std::string& path) override;
  void remove(const std::string& path) override;
  void maintain() override { maintain_at(std::chrono::steady_clock::now()); }
  // maintain() at a given time (tests drive the retry delay with it).
  void maintain_at(std::chrono::steady_clock::time_point now);
  S3Store& store() { return store_; }

 private:
  void finish_recovered(const RecoveryReport& report);
  S3Store store_;
  std::atomic<bool> needs_recovery_{false};
  std::chrono::steady_clock::time_point next_retry_{};
  std::chrono::milliseconds retry_delay_{1000};
  std::function<void(const std::string&)> on_recovered_;
};

}  // namespace sluice::s3
