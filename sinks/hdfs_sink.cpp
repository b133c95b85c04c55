#include "sinks/hdfs_sink.hpp"

#include <filesystem>

#include "sinks/backends/local_storage.hpp"
#include "sinks/backends/s3/s3_storage.hpp"
#include "sinks/backends/s3/s3_url.hpp"
#include "sinks/backends/webhdfs_storage.hpp"

namespace sluice {

HdfsSink::HdfsSink(const std::string& name, Context& ctx, const std::string& kp)
    : BatchSink(name, static_cast<size_t>(ctx.get_int(kp + "batchSize", 100, "events per transaction and flush", 1))) {
  std::string path = ctx.require_string(kp + "path", "directory template, e.g. /data/%{type}/%Y%m%d");
  std::string prefix = ctx.get_string(kp + "filePrefix", "FlumeData", "file name prefix (escapes allowed)");
  roll_.file_suffix = ctx.get_string(kp + "fileSuffix", "", "file name suffix, e.g. .txt.gz");
  roll_.in_use_prefix = ctx.get_string(kp + "inUsePrefix", "", "prefix of files being written");
  roll_.in_use_suffix = ctx.get_string(kp + "inUseSuffix", ".tmp", "suffix of files being written");
  if (ctx.get_bool(kp + "emptyInUseSuffix", false, "write files under their final name")) roll_.in_use_suffix.clear();
  roll_.roll_interval_s = ctx.get_int(kp + "rollInterval", 30, "seconds before a file is closed (0: never)", 0);
  roll_.roll_size = ctx.get_int(kp + "rollSize", 1024, "body bytes before a new file (0: no limit)", 0);
  roll_.roll_count = ctx.get_int(kp + "rollCount", 10, "events before a new file (0: no limit)", 0);
  roll_.idle_timeout_s = ctx.get_int(kp + "idleTimeout", 0, "seconds without writes before a file is closed", 0);
  std::string codec = ctx.get_string(kp + "codeC", "", "compression codec: gzip");
  std::string type = ctx.get_choice(kp + "fileType", "SequenceFile", {"SequenceFile", "DataStream", "CompressedStream"},
                                    "file layout");
  roll_.format.writable = ctx.get_choice(kp + "writeFormat", "Writable", {"Writable", "Text"},
                                         "SequenceFile value type: Writable (BytesWritable) or Text") == "Writable";
  roll_.format.gzip_level = static_cast<int>(ctx.get_int(kp + "codeC.level", 6, "gzip level 1-9 (sluice)", 1, 9));
  max_open_ = static_cast<size_t>(ctx.get_int(kp + "maxOpenFiles", 5000, "most files open at once (LRU closes)", 1));
  ctx.get_int(kp + "closeTries", 0, "close attempts before giving up (0: keep trying)", 0);
  ctx.get_int(kp + "retryInterval", 180, "seconds between close attempts", 0);
  ctx.get_int(kp + "threadsPoolSize", 10, "accepted for Flume compatibility", 1);
  ctx.get_int(kp + "rollTimerPoolSize", 1, "accepted for Flume compatibility", 1);
  time_.round = ctx.get_bool(kp + "round", false, "round the event time down for the path");
  time_.round_value = ctx.get_int(kp + "roundValue", 1, "rounding step", 1);
  std::string unit = ctx.get_choice(kp + "roundUnit", "second", {"second", "minute", "hour"}, "rounding unit");
  time_.round_unit = unit == "second" ? roller::TimeOptions::Unit::Second
                     : unit == "minute" ? roller::TimeOptions::Unit::Minute
                                        : roller::TimeOptions::Unit::Hour;
  time_.time_zone = ctx.get_string(kp + "timeZone", "", "time zone for path escapes, e.g. UTC (default: local)");
  time_.use_local_time = ctx.get_bool(kp + "useLocalTimeStamp", false, "use the sink's clock, not the timestamp header");
  serializer_name_ = ctx.get_string("serializer", "TEXT", "TEXT | header_and_text | avro_event | json");
  serializer_ctx_ = std::make_unique<Context>(ctx.sub("serializer."));
  if (!roller::make_serializer(serializer_name_, *serializer_ctx_))
    ctx.error("serializer", "'" + serializer_name_ + "' is not a serializer (expected TEXT, header_and_text, avro_event or json)");

  if (type == "SequenceFile") roll_.format.type = roller::FileType::SequenceFile;
  else if (type == "DataStream") roll_.format.type = roller::FileType::DataStream;
  else roll_.format.type = roller::FileType::CompressedStream;
  if (!codec.empty()) {
    std::string c = codec;
    for (auto& ch : c) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (c != "gzip" && c != "gzipcodec" && c != "org.apache.hadoop.io.compress.gzipcodec")
      ctx.error(kp + "codeC", "'" + codec + "' is not supported (expected gzip)");
    else if (roll_.format.type == roller::FileType::SequenceFile && ctx.has(kp + "fileType"))
      ctx.error(kp + "codeC", "compressed SequenceFiles are not supported (expected hdfs.fileType = CompressedStream)");
    roll_.format.type = roll_.format.type == roller::FileType::DataStream ? roller::FileType::DataStream
                                                                           : roller::FileType::CompressedStream;
    if (roll_.format.type == roller::FileType::CompressedStream) roll_.default_extension = ".gz";
  } else if (roll_.format.type == roller::FileType::CompressedStream) {
    ctx.error(kp + "fileType", "CompressedStream needs hdfs.codeC (expected hdfs.codeC = gzip)");
  }

  std::string address = ctx.get_string(kp + "webhdfs.address", "",
                                       "namenode HTTP address host:port for hdfs:// paths (default: the path's host, port 9870)");
  const char* env_user = getenv("HADOOP_USER_NAME");
  const char* login = getenv("USER");
  std::string user = ctx.get_string(kp + "webhdfs.user", env_user ? env_user : (login ? login : "sluice"),
                                    "user.name for WebHDFS calls (default: $HADOOP_USER_NAME, else $USER)");
  int64_t call_timeout = ctx.get_int(kp + "callTimeout", 30000, "ms allowed for a storage call", 1);
  if (path.starts_with("file://")) path = path.substr(7);
  bool https = ctx.get_bool(kp + "webhdfs.https", false, "WebHDFS over HTTPS for hdfs:// paths (swebhdfs:// implies it)");
  std::string ca_file = ctx.get_string(kp + "webhdfs.caFile", "", "PEM CAs trusted for the namenode/datanodes (default: system CAs)");
  if (path.starts_with("hdfs://") || path.starts_with("webhdfs://") || path.starts_with("swebhdfs://")) {
    // hdfs://namenode[:rpcport]/path or (s)webhdfs://namenode:httpport/path: WebHDFS REST.
    bool secure = path.starts_with("swebhdfs://");
    bool web = path.starts_with("webhdfs://") || secure;
    std::string rest = path.substr(secure ? 11 : web ? 10 : 7);
    size_t slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    path = slash == std::string::npos ? "/" : rest.substr(slash);
    storage::WebHdfsOptions wo;
    std::string hostport = address.empty() ? authority : address;
    size_t colon = hostport.rfind(':');
    wo.host = colon == std::string::npos ? hostport : hostport.substr(0, colon);
    wo.https = https || secure;
    wo.port = wo.https ? 9871 : 9870;  // Hadoop 3's dfs.namenode.http(s)-address ports
    if (colon != std::string::npos && (web || !address.empty())) wo.port = std::atoi(hostport.c_str() + colon + 1);
    if (wo.https) {
      wo.tls = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
      wo.tls->set_verify_mode(boost::asio::ssl::verify_peer);
      boost::system::error_code ec;
      if (ca_file.empty()) wo.tls->set_default_verify_paths(ec);
      else wo.tls->load_verify_file(ca_file, ec);
      if (ec) ctx.error(kp + "webhdfs.caFile", "cannot read '" + ca_file + "' (expected PEM CA certificates): " + ec.message());
    }
    if (wo.host.empty()) ctx.error(kp + "path", "has no namenode host (expected hdfs://namenode/path)");
    wo.user = user;
    wo.timeout = std::chrono::milliseconds(call_timeout);
    storage_ = std::make_unique<storage::WebHdfsStorage>(wo);
  } else if (s3::is_s3_url(path)) {
    try {
      bucket_ = s3::parse_s3_url(path).bucket;
    } catch (const std::invalid_argument& e) {
      ctx.error(kp + "path", e.what());
    }
    // Objects appear only when complete: files are written under their final names, never renamed.
    roll_.in_use_prefix.clear();
    roll_.in_use_suffix.clear();
    Context s3ctx = ctx.sub(kp.empty() ? "" : kp + "s3.");
    auto s3_storage = std::make_unique<s3::S3Storage>(s3::read_s3_settings(s3ctx, "/var/lib/sluice/s3-staging/" + name));
    s3_ = s3_storage.get();
    storage_ = std::move(s3_storage);
    if (roll_.format.type == roller::FileType::CompressedStream) {
      // An object finished from staging after a crash ends where the last sync did: a gzip stream
      // without its trailer. Rewrite it whole from what decompresses, as recover() does locally.
      s3_->on_recovered([this](const std::string& p) {
        std::string data;
        if (!roller::salvage_gzip(storage_->read_all(p), data)) return;
        auto out = storage_->create(p);
        out->write(roller::gzip_compress(data, roll_.format.gzip_level));
        out->close();
        SLUICE_LOG(Info, name_) << "rewrote " << p << " as a complete gzip stream";
      });
    }
  } else if (path.find("://") != std::string::npos) {
    ctx.error(kp + "path", "'" + path.substr(0, path.find("://") + 3) +
                               "' paths are not supported (expected a local path, file://, hdfs://, webhdfs://, s3:// or "
                               "s3a://)");
  }
  try {
    path_ = std::make_unique<roller::PathTemplate>(path);
  } catch (const roller::PathError& e) {
    ctx.error(kp + "path", e.what());
  }
  try {
    prefix_ = std::make_unique<roller::PathTemplate>(prefix);
  } catch (const roller::PathError& e) {
    ctx.error(kp + "filePrefix", e.what());
  }
  if (!storage_) storage_ = std::make_unique<storage::LocalStorage>();
}

HdfsSink::~HdfsSink() { close_all(); }

void HdfsSink::start() {
  if (s3_) s3_->start(bucket_);  // HeadBucket, then finish objects an earlier run left in staging
  size_t n = recover();
  if (n) SLUICE_LOG(Info, name_) << "recovered " << n << " in-use files left by an earlier run";
  BatchSink::start();
}

void HdfsSink::stop() {
  close_all();
  BatchSink::stop();
}

size_t HdfsSink::recover() {
  if (!path_ || (roll_.in_use_prefix.empty() && roll_.in_use_suffix.empty())) return 0;
  size_t n = 0;
  std::string root = path_->static_prefix();
  if (root.empty()) return 0;
  for (const auto& f : storage_->list_files(root)) {
    std::string dir = std::filesystem::path(f).parent_path().string();
    std::string name = std::filesystem::path(f).filename().string();
    if (!name.starts_with(roll_.in_use_prefix) || !name.ends_with(roll_.in_use_suffix) ||
        name.size() <= roll_.in_use_prefix.size() + roll_.in_use_suffix.size())
      continue;
    std::string final_name =
        name.substr(roll_.in_use_prefix.size(), name.size() - roll_.in_use_prefix.size() - roll_.in_use_suffix.size());
    std::string target = dir + "/" + final_name;
    try {
      if (roll_.format.type == roller::FileType::CompressedStream) {
        // A gzip stream cut off by a crash has no trailer: rewrite it whole from what decompresses
        // (everything up to the last synced batch).
        std::string data;
        roller::salvage_gzip(storage_->read_all(f), data);
        auto out = storage_->create(target);
        out->write(roller::gzip_compress(data, roll_.format.gzip_level));
        out->close();
        storage_->remove(f);
      } else {
        storage_->rename(f, target);
      }
      ++n;
      SLUICE_LOG(Info, name_) << "recovered " << f << " as " << target;
    } catch (const std::exception& e) {
      SLUICE_LOG(Error, name_) << "cannot recover " << f << ": " << e.what();
    }
  }
  return n;
}

roller::BucketWriter& HdfsSink::writer_for(const std::string& dir, const std::string& prefix) {
  std::string key = dir + "/" + prefix;
  auto it = open_.find(key);
  if (it != open_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return *it->second.writer;
  }
  while (open_.size() >= max_open_) {  // close the least recently used file
    std::string victim = lru_.back();
    // Closing it makes what this batch wrote there durable (or throws: the batch rolls back).
    auto v = open_.find(victim);
    if (v != open_.end()) {
      v->second.writer->close();
      std::erase(touched_, v->second.writer.get());
    }
    lru_.pop_back();
    open_.erase(victim);
  }
  lru_.push_front(key);
  auto w = std::make_unique<roller::BucketWriter>(dir, prefix, roll_, *storage_, [this] {
    return roller::make_serializer(serializer_name_, *serializer_ctx_);
  });
  auto& ref = *w;
  open_.emplace(key, Open{std::move(w), lru_.begin()});
  return ref;
}

void HdfsSink::deliver(const Batch& batch) {
  int64_t now = now_ms();
  auto& touched = touched_;
  touched.clear();
  // Consecutive events usually land in the same file: the writer is looked up again only when the
  // expanded directory or prefix differs from the previous event's.
  std::string dir, prefix, last_dir, last_prefix;
  roller::BucketWriter* last = nullptr;
  try {
    for (const auto& e : batch) {
      path_->expand_into(e, time_, now, dir);
      prefix_->expand_into(e, time_, now, prefix);
      if (!last || dir != last_dir || prefix != last_prefix) {
        last = &writer_for(dir, prefix);
        last_dir = dir;
        last_prefix = prefix;
        if (std::find(touched.begin(), touched.end(), last) == touched.end()) touched.push_back(last);
      }
      last->append(e);
    }
    for (auto* w : touched) w->sync();
  } catch (...) {
    // The files written by this batch may hold part of it: close them (best effort) so the retry
    // writes whole new files. At-least-once: what was written stays and is written again.
    for (auto* w : touched) {
      try {
        w->close();
      } catch (const std::exception&) {
      }
    }
    throw;
  }
  tick();
}

void HdfsSink::idle() { tick(); }

void HdfsSink::tick() {
  storage_->maintain();
  auto now = std::chrono::steady_clock::now();
  for (auto it = open_.begin(); it != open_.end();) {
    if (it->second.writer->tick(now)) {
      lru_.erase(it->second.lru);
      it = open_.erase(it);  // idleTimeout: closed by the destructor
    } else {
      ++it;
    }
  }
}

void HdfsSink::close_all() {
  open_.clear();  // each BucketWriter closes and renames its file
  lru_.clear();
}

}  // namespace sluice
