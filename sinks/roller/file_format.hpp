// The three hdfs.fileType layouts, written to a storage::OutputFile:
//   DataStream        serializer output as is
//   CompressedStream  serializer output through gzip, as concatenated gzip members: a sync() of
//                     256 KiB or more becomes a whole member (libdeflate), smaller ones go into an
//                     open zlib member with a sync flush; either way everything synced decompresses
//                     even if the process dies before the file is closed
//   SequenceFile      Hadoop SequenceFile v6, key LongWritable (the timestamp header, or now), value
//                     BytesWritable (writeFormat Writable) or Text (writeFormat Text), uncompressed,
//                     a sync marker every 2000 bytes — what Flume writes by default
#pragma once
#include <zlib.h>

#include <memory>
#include <string>

#include "sinks/backends/storage.hpp"
#include "sinks/roller/serializer.hpp"

namespace sluice::roller {

enum class FileType { DataStream, CompressedStream, SequenceFile };

class FileWriter {
 public:
  virtual ~FileWriter() = default;
  virtual void append(const Event& e) = 0;
  virtual void sync() = 0;   // durable when it returns
  virtual void close() = 0;  // completes the file (gzip trailer) and closes it
};

struct FormatOptions {
  FileType type = FileType::SequenceFile;
  int gzip_level = 6;
  bool writable = true;  // SequenceFile writeFormat: Writable (BytesWritable) or Text
  std::string serializer = "TEXT";
};

// serializer is used by DataStream and CompressedStream.
std::unique_ptr<FileWriter> make_file_writer(const FormatOptions& o, std::unique_ptr<storage::OutputFile> file,
                                             std::unique_ptr<EventSerializer> serializer);

// Hadoop WritableUtils.writeVLong.
void write_hadoop_vlong(std::string& out, int64_t v);

// Decompresses as much of a (possibly truncated) gzip file as is valid, across its members; false if
// nothing is.
bool salvage_gzip(const std::string& data, std::string& out);
// Compresses data into one complete gzip member.
std::string gzip_compress(const std::string& data, int level);

}  // namespace sluice::roller
