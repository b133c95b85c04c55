#include "sinks/roller/file_format.hpp"

#include <libdeflate.h>

#include <random>

#include "agent/metrics.hpp"

namespace sluice::roller {
namespace {

class StreamWriter : public FileWriter {
 public:
  StreamWriter(std::unique_ptr<storage::OutputFile> f, std::unique_ptr<EventSerializer> s)
      : file_(std::move(f)), ser_(std::move(s)) {
    buf_ = ser_->file_header();
  }
  void append(const Event& e) override {
    ser_->append(e, buf_);
    if (buf_.size() >= (1u << 20)) drain();
  }
  void sync() override {
    ser_->flush(buf_);
    drain();
    file_->sync();
  }
  void close() override {
    sync();
    file_->close();
  }

 private:
  void drain() {
    if (!buf_.empty()) file_->write(buf_);
    buf_.clear();
  }
  std::unique_ptr<storage::OutputFile> file_;
  std::unique_ptr<EventSerializer> ser_;
  std::string buf_;
};

// gzip output as a concatenation of gzip members (RFC 1952; gzip, Hadoop's GzipCodec, Spark and Python
// read them). What a sync() must make durable is compressed at once:
// - 256 KiB or more pending (large batches, the throughput case): one member compressed by libdeflate
//   in a single call, 2-3x zlib's speed at the same level; as Flume, which finishes its gzip stream on
//   every sync, only with members large enough that the ratio stays within ~1 % of one stream;
// - less (small batches): a zlib member kept open across syncs with Z_SYNC_FLUSH, so many small
//   batches share one dictionary instead of each paying a member.
// Appends are buffered up to 4 MiB before a member is cut (bounded memory).
class GzipWriter : public FileWriter {
 public:
  static constexpr size_t kLargeMember = 256 * 1024;
  static constexpr size_t kMaxPending = 4 * 1024 * 1024;

  GzipWriter(std::unique_ptr<storage::OutputFile> f, std::unique_ptr<EventSerializer> s, int level)
      : file_(std::move(f)), ser_(std::move(s)), fast_(libdeflate_alloc_compressor(level)) {
    if (!fast_) throw storage::StorageError("libdeflate: cannot allocate a compressor at level " + std::to_string(level));
    if (deflateInit2(&z_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw storage::StorageError("zlib deflateInit2 failed");
    in_ = ser_->file_header();
    out_.resize(1 << 18);
  }
  ~GzipWriter() override {
    deflateEnd(&z_);
    libdeflate_free_compressor(fast_);
  }
  void append(const Event& e) override {
    ser_->append(e, in_);
    if (in_.size() >= kMaxPending) large_member();
  }
  void sync() override {
    ser_->flush(in_);
    if (in_.size() >= kLargeMember) large_member();
    else if (!in_.empty()) zlib(Z_SYNC_FLUSH);
    file_->sync();
  }
  void close() override {
    ser_->flush(in_);
    if (in_.size() >= kLargeMember) large_member();
    // Ends the open zlib member (or writes the only one: an empty file is still valid gzip).
    if (!in_.empty() || zlib_open_ || members_ == 0) zlib(Z_FINISH);
    file_->close();
  }

 private:
  void large_member() {
    if (zlib_open_) {  // end the small-batch member first: members follow each other whole
      std::string pending;
      pending.swap(in_);
      zlib(Z_FINISH);
      in_.swap(pending);
    }
    size_t bound = libdeflate_gzip_compress_bound(fast_, in_.size());
    if (big_.size() < bound) big_.resize(bound);
    size_t n = libdeflate_gzip_compress(fast_, in_.data(), in_.size(), big_.data(), big_.size());
    if (n == 0) throw storage::StorageError("libdeflate gzip compression failed");
    file_->write(std::string_view(big_.data(), n));
    ++members_;
    in_.clear();
  }
  void zlib(int mode) {
    z_.next_in = reinterpret_cast<Bytef*>(in_.data());
    z_.avail_in = static_cast<uInt>(in_.size());
    int rc;
    do {
      z_.next_out = reinterpret_cast<Bytef*>(out_.data());
      z_.avail_out = static_cast<uInt>(out_.size());
      rc = deflate(&z_, mode);
      if (rc == Z_STREAM_ERROR) throw storage::StorageError("zlib deflate failed");
      size_t have = out_.size() - z_.avail_out;
      if (have) file_->write(std::string_view(out_.data(), have));
    } while (z_.avail_out == 0 || (mode == Z_FINISH && rc != Z_STREAM_END));
    in_.clear();
    zlib_open_ = mode != Z_FINISH;
    if (mode == Z_FINISH) {
      deflateReset(&z_);
      ++members_;
    }
  }
  std::unique_ptr<storage::OutputFile> file_;
  std::unique_ptr<EventSerializer> ser_;
  libdeflate_compressor* fast_;
  z_stream z_{};
  bool zlib_open_ = false;
  size_t members_ = 0;
  std::string in_, out_, big_;
};

void put_int(std::string& out, int32_t v) {
  uint32_t u = static_cast<uint32_t>(v);
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((u >> s) & 0xFF);
}

class SequenceFileWriter : public FileWriter {
 public:
  SequenceFileWriter(std::unique_ptr<storage::OutputFile> f, bool writable) : file_(std::move(f)), writable_(writable) {
    std::random_device rd;
    for (auto& c : sync_) c = static_cast<char>(rd());
    buf_ = std::string("SEQ\x06", 4);
    text(buf_, "org.apache.hadoop.io.LongWritable");
    text(buf_, writable_ ? "org.apache.hadoop.io.BytesWritable" : "org.apache.hadoop.io.Text");
    buf_ += '\0';  // compression
    buf_ += '\0';  // block compression
    put_int(buf_, 0);  // metadata entries
    buf_.append(sync_, 16);
  }
  void append(const Event& e) override {
    uint64_t pos = file_->size() + buf_.size();
    if (pos >= last_sync_ + 2000) {  // Hadoop's SYNC_INTERVAL = 100 * (4 + 16)
      put_int(buf_, -1);
      buf_.append(sync_, 16);
      last_sync_ = pos;
    }
    int64_t key = now_ms();
    if (auto* t = e.headers.find("timestamp")) {
      char* end = nullptr;
      long long v = std::strtoll(t->c_str(), &end, 10);
      if (!t->empty() && !*end) key = v;
    }
    std::string value;
    if (writable_) {
      put_int(value, static_cast<int32_t>(e.body.size()));
    } else {
      write_hadoop_vlong(value, static_cast<int64_t>(e.body.size()));
    }
    value += e.body;
    put_int(buf_, static_cast<int32_t>(8 + value.size()));
    put_int(buf_, 8);
    for (int s = 56; s >= 0; s -= 8) buf_ += static_cast<char>((static_cast<uint64_t>(key) >> s) & 0xFF);
    buf_ += value;
    if (buf_.size() >= (1u << 20)) drain();
  }
  void sync() override {
    drain();
    file_->sync();
  }
  void close() override {
    drain();
    file_->close();
  }

 private:
  static void text(std::string& out, const std::string& s) {
    write_hadoop_vlong(out, static_cast<int64_t>(s.size()));
    out += s;
  }
  void drain() {
    if (!buf_.empty()) file_->write(buf_);
    buf_.clear();
  }
  std::unique_ptr<storage::OutputFile> file_;
  bool writable_;
  char sync_[16];
  std::string buf_;
  uint64_t last_sync_ = 0;
};

}  // namespace

void write_hadoop_vlong(std::string& out, int64_t i) {
  if (i >= -112 && i <= 127) {
    out += static_cast<char>(i);
    return;
  }
  int len = -112;
  if (i < 0) {
    i ^= -1LL;
    len = -120;
  }
  for (int64_t tmp = i; tmp != 0; tmp >>= 8) --len;
  out += static_cast<char>(len);
  len = (len < -120) ? -(len + 120) : -(len + 112);
  for (int idx = len; idx != 0; --idx) {
    int shift = (idx - 1) * 8;
    out += static_cast<char>((i >> shift) & 0xFF);
  }
}

std::unique_ptr<FileWriter> make_file_writer(const FormatOptions& o, std::unique_ptr<storage::OutputFile> file,
                                             std::unique_ptr<EventSerializer> serializer) {
  switch (o.type) {
    case FileType::DataStream: return std::make_unique<StreamWriter>(std::move(file), std::move(serializer));
    case FileType::CompressedStream:
      return std::make_unique<GzipWriter>(std::move(file), std::move(serializer), o.gzip_level);
    case FileType::SequenceFile: return std::make_unique<SequenceFileWriter>(std::move(file), o.writable);
  }
  return nullptr;
}

bool salvage_gzip(const std::string& data, std::string& out) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) return false;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  char buf[65536];
  int rc;
  bool ended = false;
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_SYNC_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (rc == Z_STREAM_END) {
      ended = true;
      if (z.avail_in == 0) break;
      inflateReset(&z);  // the next gzip member follows
      continue;
    }
    if (rc != Z_OK || (z.avail_in == 0 && z.avail_out != 0)) break;
  }
  inflateEnd(&z);
  return !out.empty() || ended;
}

std::string gzip_compress(const std::string& data, int level) {
  z_stream z{};
  deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

}  // namespace sluice::roller
