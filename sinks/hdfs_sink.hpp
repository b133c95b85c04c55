// Flume type: hdfs (org.apache.flume.sink.hdfs.HDFSEventSink)
// Keys (Flume's, with Flume's defaults): hdfs.path (required; escapes as in roller/path_template.hpp),
// hdfs.filePrefix (FlumeData), hdfs.fileSuffix, hdfs.inUsePrefix (""), hdfs.inUseSuffix (.tmp),
// hdfs.emptyInUseSuffix (false), hdfs.rollInterval (30 s), hdfs.rollSize (1024 bytes), hdfs.rollCount
// (10), hdfs.idleTimeout (0), hdfs.batchSize (100), hdfs.codeC (gzip), hdfs.fileType (SequenceFile |
// DataStream | CompressedStream), hdfs.writeFormat (Writable | Text), hdfs.maxOpenFiles (5000),
// hdfs.callTimeout (30000 ms), hdfs.closeTries (0), hdfs.retryInterval (180 s), hdfs.round (false),
// hdfs.roundValue (1), hdfs.roundUnit (second | minute | hour), hdfs.timeZone (local),
// hdfs.useLocalTimeStamp (false), serializer (TEXT | header_and_text | avro_event | json),
// serializer.appendNewline (true).
// sluice keys: hdfs.webhdfs.address (namenode HTTP host:port for hdfs:// paths; default the path's
// host on 9870), hdfs.webhdfs.user (user.name; default $HADOOP_USER_NAME, else $USER),
// hdfs.webhdfs.https (false; swebhdfs:// paths imply it, port 9871) and hdfs.webhdfs.caFile (system
// CAs), hdfs.codeC.level.
// Backends: local paths and file://; hdfs://, webhdfs:// and swebhdfs:// through WebHDFS REST; s3://, s3a://, s3n://
// through backends/s3 (S3 keys under hdfs.s3., see s3_settings.hpp; final object names, bytes staged
// locally and fsync'ed before commit, multipart objects that appear when closed). Guarantee: a batch is committed only after every
// file it touched is synced (local: fsync). On start, in-use files left by a crash under the path's
// fixed prefix are closed and renamed; a gzip file cut short is rewritten with everything that can be
// decompressed. A missing header or timestamp needed by the path fails the batch (rolled back).
#pragma once
#include <list>
#include <memory>
#include <unordered_map>

#include "agent/sink.hpp"
#include "sinks/backends/storage.hpp"
#include "sinks/roller/bucket_writer.hpp"
#include "sinks/roller/path_template.hpp"

namespace sluice {
namespace s3 {
class S3Storage;
}

class HdfsSink : public BatchSink {
 public:
  // key_prefix: "hdfs." for type hdfs (Flume's keys), "" for type s3.
  HdfsSink(const std::string& name, Context& ctx, const std::string& key_prefix = "hdfs.");
  ~HdfsSink() override;
  void start() override;
  void stop() override;
  bool writes_to_s3() const { return s3_ != nullptr; }
  // Renames in-use files found under the path's fixed prefix (crash recovery). Returns how many.
  size_t recover();

 protected:
  void deliver(const Batch& batch) override;
  void idle() override;

 private:
  roller::BucketWriter& writer_for(const std::string& dir, const std::string& prefix);
  void tick();
  void close_all();

  std::unique_ptr<roller::PathTemplate> path_, prefix_;
  roller::TimeOptions time_;
  roller::RollOptions roll_;
  std::string serializer_name_;
  std::unique_ptr<Context> serializer_ctx_;
  size_t max_open_;
  std::unique_ptr<storage::Storage> storage_;
  s3::S3Storage* s3_ = nullptr;  // storage_ when hdfs.path is s3://, s3a:// or s3n://
  std::string bucket_;
  struct Open {
    std::unique_ptr<roller::BucketWriter> writer;
    std::list<std::string>::iterator lru;
  };
  std::unordered_map<std::string, Open> open_;
  std::list<std::string> lru_;  // most recently used at the front
  std::vector<roller::BucketWriter*> touched_;  // the open files the current batch wrote to
};

}  // namespace sluice
