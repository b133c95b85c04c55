// The S3 side of the roller's storage backend in one object: settings -> credentials chain, client,
// staging area; start() checks the bucket and recovers what an earlier run left in staging; open()
// gives a streaming writer per rolled file. The roller backend (local / webhdfs / s3 behind one
// interface) wraps this: its open(path) -> MultipartWriter, write -> append, sync -> flush,
// close -> close, rollback of an unsynced batch -> discard_unflushed.
#pragma once
#include <memory>
#include <string>

#include "sinks/backends/s3/multipart_upload.hpp"
#include "sinks/backends/s3/s3_settings.hpp"
#include "sinks/backends/s3/s3_url.hpp"

namespace sluice::s3 {

class S3Store {
 public:
  explicit S3Store(S3Settings settings);  // no I/O (constructors must not open sockets or files)
  // Creates the staging directory, checks the bucket (HeadBucket: clear NoSuchBucket / AccessDenied)
  // and finishes objects staged by an earlier run. Throws on failure.
  RecoveryReport start(const std::string& bucket);
  // A writer for s3://bucket/key, already open (staging files created).
  std::unique_ptr<MultipartWriter> open(const std::string& bucket, const std::string& key);
  // The same with object options of its own (e.g. metadata resolved from event headers).
  std::unique_ptr<MultipartWriter> open(const std::string& bucket, const std::string& key, const ObjectOptions& object);
  // Finishes staged objects no live writer holds (e.g. after a writer failed). Safe at any time.
  RecoveryReport recover();
  S3Client& client() { return *client_; }
  const S3Settings& settings() const { return settings_; }
  StagingArea& staging() { return *staging_; }

 private:
  S3Settings settings_;
  std::unique_ptr<S3Client> client_;
  std::unique_ptr<StagingArea> staging_;
};

}  // namespace sluice::s3
