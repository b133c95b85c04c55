#include "sinks/backends/s3/s3_storage.hpp"

#include <algorithm>

#include "agent/log.hpp"

namespace sluice::s3 {
namespace {

class S3OutputFile : public storage::OutputFile {
 public:
  S3OutputFile(std::unique_ptr<MultipartWriter> w, std::atomic<bool>& needs_recovery)
      : w_(std::move(w)), needs_recovery_(needs_recovery) {}
  void write(std::string_view data) override { guard([&] { w_->append(data); }); }
  void sync() override { guard([&] { w_->flush(); }); }
  void close() override { guard([&] { w_->close(); }); }
  uint64_t size() const override { return w_->length(); }

 private:
  // Any failure may leave flushed bytes in staging: the next create() finishes them.
  template <typename F>
  void guard(F f) {
    try {
      f();
    } catch (const StagingFullError& e) {
      throw storage::StorageError(e.what());  // backpressure: nothing to recover
    } catch (const std::exception& e) {
      needs_recovery_ = true;
      throw storage::StorageError(e.what());
    }
  }
  std::unique_ptr<MultipartWriter> w_;
  std::atomic<bool>& needs_recovery_;
};

}  // namespace

void S3Storage::finish_recovered(const RecoveryReport& report) {
  if (!report.failed.empty()) needs_recovery_ = true;  // try again with the next file
  for (const auto& path : report.completed_urls) {
    if (!on_recovered_) continue;
    try {
      on_recovered_(path);
    } catch (const std::exception& e) {
      SLUICE_LOG(Error, "s3") << "post-recovery step for " << path << " failed: " << e.what();
    }
  }
}

void S3Storage::maintain_at(std::chrono::steady_clock::time_point now) {
  if (!needs_recovery_ || now < next_retry_) return;
  needs_recovery_ = false;
  try {
    finish_recovered(store_.recover());
  } catch (const std::exception& e) {
    SLUICE_LOG(Error, "s3") << "finishing staged objects failed: " << e.what();
    needs_recovery_ = true;
  }
  if (needs_recovery_) {  // still failing: wait longer before the next attempt
    next_retry_ = now + retry_delay_;
    retry_delay_ = std::min(retry_delay_ * 2, std::chrono::milliseconds(60000));
  } else {
    retry_delay_ = std::chrono::milliseconds(1000);
  }
}

void S3Storage::start(const std::string& bucket) {
  try {
    finish_recovered(store_.start(bucket));
  } catch (const S3Error& e) {
    if (!e.retryable()) throw;  // NoSuchBucket, AccessDenied, bad certificate: a configuration error
    // S3 unreachable for now: start anyway; the first file retries the recovery.
    SLUICE_LOG(Error, "s3") << e.what() << "; staged objects will be finished once S3 answers";
    needs_recovery_ = true;
  }
}

std::unique_ptr<storage::OutputFile> S3Storage::create(const std::string& path) {
  return create_for(path, Headers{});
}

// `%{name}` in value replaced by header name of h (see create_for).
static std::string resolve_header_refs(const std::string& value, const Headers& h) {
  std::string out;
  for (size_t i = 0; i < value.size();) {
    size_t end = value.compare(i, 2, "%{") == 0 ? value.find('}', i + 2) : std::string::npos;
    if (end == std::string::npos) {
      out += value[i++];
      continue;
    }
    for (char c : h.get(value.substr(i + 2, end - i - 2)))
      out += (c >= 0x20 && c < 0x7f) ? c : '_';  // printable ASCII only in an HTTP header
    i = end + 1;
  }
  return out;
}

std::unique_ptr<storage::OutputFile> S3Storage::create_for(const std::string& path, const Headers& opening_event) {
  auto url = parse_s3_url(path);
  if (needs_recovery_.exchange(false)) finish_recovered(store_.recover());
  ObjectOptions object = store_.settings().object;
  for (auto& [name, value] : object.metadata)
    if (value.find("%{") != std::string::npos) value = resolve_header_refs(value, opening_event);
  try {
    return std::make_unique<S3OutputFile>(store_.open(url.bucket, url.key, object), needs_recovery_);
  } catch (const std::exception& e) {
    throw storage::StorageError(e.what());
  }
}

void S3Storage::rename(const std::string& from, const std::string& to) {
  if (from != to)
    throw storage::StorageError("S3 objects are written under their final name; cannot rename " + from + " to " + to);
}

bool S3Storage::exists(const std::string& path) {
  auto url = parse_s3_url(path);
  for (const auto& o : store_.client().list_objects_v2(url.bucket, url.key).objects)
    if (o.key == url.key) return true;
  return false;
}

std::vector<std::string> S3Storage::list_files(const std::string& dir) {
  auto url = parse_s3_url(dir);
  std::string prefix = url.key.empty() || url.key.ends_with("/") ? url.key : url.key + "/";
  std::vector<std::string> out;
  std::string token;
  do {
    auto page = store_.client().list_objects_v2(url.bucket, prefix, token);
    for (const auto& o : page.objects) out.push_back("s3://" + url.bucket + "/" + o.key);
    token = page.truncated ? page.next_continuation_token : "";
  } while (!token.empty());
  return out;
}

std::string S3Storage::read_all(const std::string& path) {
  auto url = parse_s3_url(path);
  return store_.client().get_object(url.bucket, url.key);
}

void S3Storage::remove(const std::string& path) {
  auto url = parse_s3_url(path);
  store_.client().delete_object(url.bucket, url.key);
}

}  // namespace sluice::s3
