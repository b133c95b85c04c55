#include "sinks/backends/s3/s3_store.hpp"

#include "agent/log.hpp"

namespace sluice::s3 {

S3Store::S3Store(S3Settings settings) : settings_(std::move(settings)) {
  client_ = std::make_unique<S3Client>(settings_.client, std::make_shared<CredentialsProvider>(settings_.credentials));
}

RecoveryReport S3Store::start(const std::string& bucket) {
  staging_ = std::make_unique<StagingArea>(settings_.staging_dir, settings_.staging_max_bytes);
  client_->head_bucket(bucket);
  auto report = recover();
  if (!report.completed.empty())
    SLUICE_LOG(Info, "s3") << "finished " << report.completed.size() << " object(s) left in staging "
                           << settings_.staging_dir;
  return report;
}

std::unique_ptr<MultipartWriter> S3Store::open(const std::string& bucket, const std::string& key) {
  return open(bucket, key, settings_.object);
}

std::unique_ptr<MultipartWriter> S3Store::open(const std::string& bucket, const std::string& key,
                                               const ObjectOptions& object) {
  if (!staging_) throw std::logic_error("S3Store::open before start()");
  auto w = std::make_unique<MultipartWriter>(*client_, *staging_, bucket, key, object, settings_.upload);
  w->open();
  return w;
}

RecoveryReport S3Store::recover() {
  if (!staging_) throw std::logic_error("S3Store::recover before start()");
  return recover_staged_uploads(*client_, *staging_, settings_.upload);
}

}  // namespace sluice::s3
