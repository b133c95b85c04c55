#include "sinks/backends/s3/multipart_upload.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "agent/log.hpp"

namespace sluice::s3 {
namespace {

[[noreturn]] void throw_errno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

void pwrite_all(int fd, std::string_view data, uint64_t offset, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("S3 staging write " + path);
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
}

// Frees the disk blocks of a range that is now safely in a completed part.
void punch_hole(int fd, uint64_t begin, uint64_t end) {
  ::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(begin),
              static_cast<off_t>(end - begin));  // best effort: without it staging only uses more disk
}

void fsync_dir(const std::string& dir) {
  int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d >= 0) {
    ::fsync(d);
    ::close(d);
  }
}

}  // namespace

MultipartWriter::MultipartWriter(S3Client& client, StagingArea& staging, std::string bucket, std::string key,
                                 ObjectOptions object, MultipartOptions opts)
    : client_(client), staging_(staging), bucket_(std::move(bucket)), key_(std::move(key)),
      object_(std::move(object)), opts_(opts) {
  if (opts_.part_size < kMinPartSize)
    throw std::invalid_argument("S3 part size " + std::to_string(opts_.part_size) + " is below S3's minimum of 5 MiB");
  if (opts_.max_parallel_uploads == 0) opts_.max_parallel_uploads = 1;
}

MultipartWriter::~MultipartWriter() {
  if (!finished_) {
    try {
      harvest(true);  // journal the parts that did finish, so recovery does not upload them again
    } catch (...) {
    }
  }
  if (fd_ >= 0) ::close(fd_);
  if (!finished_ && !id_.empty() && reserved_ > 0) {
    staging_.leave(id_, reserved_);  // the bytes stay staged for recovery and keep counting
  } else {
    staging_.release(reserved_);
    if (!id_.empty()) staging_.let_go(id_);
  }
}

void MultipartWriter::open() {
  id_ = staging_.new_id();
  staging_.hold(id_);
  data_path_ = staging_.dir() + "/" + id_ + ".data";
  fd_ = ::open(data_path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd_ < 0) throw_errno("S3 staging file " + data_path_);
  journal_ = std::make_unique<Journal>(staging_.dir() + "/" + id_ + ".journal");
  journal_->begin(bucket_, key_, object_, opts_.part_size);
  fsync_dir(staging_.dir());
}

void MultipartWriter::check_failed() const {
  if (failure_) std::rethrow_exception(failure_);
  if (finished_) throw std::logic_error("S3 object " + key_ + " is already closed");
  if (fd_ < 0) throw std::logic_error("S3 object " + key_ + ": open() was not called");
}

void MultipartWriter::append(std::string_view data) {
  check_failed();
  auto deadline = std::chrono::steady_clock::now() + opts_.staging_wait;
  for (;;) {
    try {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      staging_.reserve(data.size(), std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(100)));
      break;
    } catch (const StagingFullError&) {
      harvest(false);  // our own finished parts free room too
      if (std::chrono::steady_clock::now() >= deadline) throw;
    }
  }
  reserved_ += data.size();
  try {
    pwrite_all(fd_, data, length_, data_path_);
  } catch (...) {
    ::ftruncate(fd_, static_cast<off_t>(length_));
    staging_.release(data.size());
    reserved_ -= data.size();
    throw;
  }
  pending_.append(data);
  length_ += data.size();
}

void MultipartWriter::flush() {
  check_failed();
  if (flushed_ != length_) {
    if (::fdatasync(fd_) != 0) throw_errno("fsync " + data_path_);
    journal_->flushed(length_);
    flushed_ = length_;
  }
  dispatch_full_parts();
  harvest(false);
}

void MultipartWriter::discard_unflushed() {
  uint64_t n = length_ - flushed_;
  if (n == 0) return;
  if (::ftruncate(fd_, static_cast<off_t>(flushed_)) != 0) throw_errno("truncate " + data_path_);
  pending_.resize(pending_.size() - n);
  length_ = flushed_;
  staging_.release(n);
  reserved_ -= n;
}

void MultipartWriter::start_upload_if_needed() {
  if (!upload_id_.empty()) return;
  upload_id_ = client_.create_multipart_upload(bucket_, key_, object_);
  journal_->upload(upload_id_);
}

void MultipartWriter::dispatch_full_parts() {
  while (pending_.size() >= opts_.part_size) {
    while (in_flight_.size() >= opts_.max_parallel_uploads) harvest(false, true);
    int number = static_cast<int>(dispatched_ / opts_.part_size) + 1;
    if (number >= kMaxParts)
      throw std::runtime_error("S3 object " + key_ + " would need more than 10000 parts: raise the part size "
                               "or roll files sooner");
    try {
      start_upload_if_needed();
    } catch (...) {
      fail(std::current_exception());
    }
    auto body = std::make_shared<std::string>(pending_.substr(0, opts_.part_size));
    pending_.erase(0, opts_.part_size);
    uint64_t begin = dispatched_;
    dispatched_ += opts_.part_size;
    in_flight_.push_back({number, begin, dispatched_,
                          std::async(std::launch::async, [this, number, body] {
                            return client_.upload_part(bucket_, key_, upload_id_, number, *body);
                          })});
  }
}

void MultipartWriter::harvest(bool wait_all, bool wait_one) {
  std::exception_ptr first_error;
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    bool ready = it->etag.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    if (!ready && !wait_all && !(wait_one && it == in_flight_.begin())) {
      ++it;
      continue;
    }
    try {
      CompletedPart p{it->number, it->etag.get()};
      journal_->part(p, it->end);
      completed_.push_back(p);
      punch_hole(fd_, it->begin, it->end);
      staging_.release(it->end - it->begin);
      reserved_ -= it->end - it->begin;
    } catch (...) {
      if (!first_error) first_error = std::current_exception();
    }
    it = in_flight_.erase(it);
    if (wait_one && !wait_all) wait_one = false;
  }
  if (first_error) fail(first_error);
}

void MultipartWriter::fail(const std::exception_ptr& e) {
  if (!failure_) {
    failure_ = e;
    try {
      std::rethrow_exception(e);
    } catch (const S3Error& s3) {
      // Retrying will not help (AccessDenied, NoSuchBucket, InvalidPart...): free the server's parts.
      if (!s3.retryable() && !upload_id_.empty()) {
        SLUICE_LOG(Error, "s3") << "aborting multipart upload of s3://" << bucket_ << "/" << key_ << ": " << s3.what();
        try {
          for (auto& f : in_flight_) f.etag.wait();
          client_.abort_multipart_upload(bucket_, key_, upload_id_);
        } catch (const std::exception& ae) {
          SLUICE_LOG(Warn, "s3") << "abort of s3://" << bucket_ << "/" << key_ << " failed: " << ae.what();
        }
      }
    } catch (...) {
    }
  }
  std::rethrow_exception(failure_);
}

void MultipartWriter::close() {
  flush();
  harvest(true);
  try {
    if (upload_id_.empty()) {
      client_.put_object(bucket_, key_, pending_, object_);  // small object: nothing was dispatched
    } else {
      if (!pending_.empty()) {
        CompletedPart last{static_cast<int>(dispatched_ / opts_.part_size) + 1, {}};
        last.etag = client_.upload_part(bucket_, key_, upload_id_, last.number, pending_);
        journal_->part(last, length_);
        completed_.push_back(last);
      }
      std::sort(completed_.begin(), completed_.end(), [](auto& a, auto& b) { return a.number < b.number; });
      client_.complete_multipart_upload(bucket_, key_, upload_id_, completed_);
    }
  } catch (...) {
    fail(std::current_exception());
  }
  journal_->completed();
  finished_ = true;
  remove_files();
}

void MultipartWriter::abort() {
  for (auto& f : in_flight_) f.etag.wait();
  in_flight_.clear();
  if (!upload_id_.empty()) client_.abort_multipart_upload(bucket_, key_, upload_id_);
  finished_ = true;
  remove_files();
}

void MultipartWriter::remove_files() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  journal_.reset();
  std::error_code ec;
  std::filesystem::remove(data_path_, ec);
  std::filesystem::remove(staging_.dir() + "/" + id_ + ".journal", ec);
  staging_.release(reserved_);
  reserved_ = 0;
}

}  // namespace sluice::s3
