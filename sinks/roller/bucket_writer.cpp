#include "sinks/roller/bucket_writer.hpp"

#include <algorithm>
#include <atomic>

#include "agent/log.hpp"
#include "agent/metrics.hpp"

namespace sluice::roller {
namespace {
// Writers for one directory can follow each other within a millisecond (maxOpenFiles evicting,
// idleTimeout closing), and each numbers its files from its creation time: two files could get the
// same name and the second would replace the first. So every number is claimed from one
// process-wide sequence: the one wanted, or one past the last handed out, whichever is larger.
int64_t claim_file_number(int64_t wanted) {
  static std::atomic<int64_t> last{0};
  int64_t prev = last.load();
  int64_t next = std::max(wanted, prev + 1);
  while (!last.compare_exchange_weak(prev, next)) next = std::max(wanted, prev + 1);
  return next;
}
}  // namespace

BucketWriter::BucketWriter(std::string dir, std::string prefix, const RollOptions& o, storage::Storage& s,
                           std::function<std::unique_ptr<EventSerializer>()> make_serializer)
    : dir_(std::move(dir)), prefix_(std::move(prefix)), o_(o), storage_(s),
      make_serializer_(std::move(make_serializer)), counter_(now_ms()) {
  last_write_ = std::chrono::steady_clock::now();
}

BucketWriter::~BucketWriter() {
  try {
    close();
  } catch (const std::exception& e) {
    SLUICE_LOG(Error, "roller") << "closing " << in_use_ << " failed: " << e.what();
  }
}

void BucketWriter::open(const Headers& opening_event) {
  // Flume: counter = ++fileExtensionCounter, so the first file is the creation time + 1.
  counter_ = claim_file_number(counter_ + 1);
  std::string name = prefix_ + "." + std::to_string(counter_) +
                     (o_.file_suffix.empty() ? o_.default_extension : o_.file_suffix);
  std::string base = dir_.empty() ? "" : dir_ + "/";
  target_ = base + name;
  in_use_ = base + o_.in_use_prefix + name + o_.in_use_suffix;
  writer_ = make_file_writer(o_.format, storage_.create_for(in_use_, opening_event), make_serializer_());
  events_ = bytes_ = 0;
  opened_ = std::chrono::steady_clock::now();
}

void BucketWriter::append(const Event& e) {
  if (writer_ && ((o_.roll_count > 0 && events_ >= o_.roll_count) || (o_.roll_size > 0 && bytes_ >= o_.roll_size)))
    close();
  if (!writer_) open(e.headers);
  writer_->append(e);
  ++events_;
  bytes_ += static_cast<int64_t>(e.body.size());
  dirty_ = true;
}

void BucketWriter::sync() {
  if (dirty_) last_write_ = std::chrono::steady_clock::now();  // once per batch, not per event
  if (writer_ && dirty_) writer_->sync();
  dirty_ = false;
}

bool BucketWriter::tick(std::chrono::steady_clock::time_point now) {
  if (writer_ && o_.roll_interval_s > 0 && now - opened_ >= std::chrono::seconds(o_.roll_interval_s)) close();
  return o_.idle_timeout_s > 0 && now - last_write_ >= std::chrono::seconds(o_.idle_timeout_s);
}

void BucketWriter::close() {
  if (!writer_) return;
  auto w = std::move(writer_);
  w->close();
  if (in_use_ != target_) storage_.rename(in_use_, target_);
  ++files_closed_;
  dirty_ = false;
}

}  // namespace sluice::roller
