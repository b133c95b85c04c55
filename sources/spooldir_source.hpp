// Flume type: spooldir (org.apache.flume.source.SpoolDirectorySource)
// Keys (Flume's): spoolDir (required), fileSuffix (.COMPLETED), deletePolicy (never | immediate),
// fileHeader (false), fileHeaderKey (file), basenameHeader (false), basenameHeaderKey (basename),
// includePattern (^.*$), ignorePattern (^$), trackerDir (.flumespool), consumeOrder (oldest |
// youngest | random), pollDelay (500 ms), batchSize (100), inputCharset (UTF-8), decodeErrorPolicy
// (FAIL | REPLACE | IGNORE), deserializer (LINE), deserializer.maxLineLength (2048).
// Files are read line by line; the read position is saved in trackerDir after every committed
// batch, so a restart resumes without loss or duplicates. A finished file is renamed with
// fileSuffix (or deleted). Flume's rule holds: a file that changed after it was picked up, or a
// name already used by a completed file, is an error, reported with the file name; that file is left
// in place and the others go on. Changed: a line longer than maxLineLength is delivered in pieces
// marked spooldir.split=true (Flume truncates it and drops the rest).
#pragma once
#include <atomic>
#include <re2/re2.h>
#include <set>
#include <thread>

#include "agent/source.hpp"

namespace sluice {

class SpoolDirSource : public Source {
 public:
  SpoolDirSource(const std::string& name, Context& ctx);
  ~SpoolDirSource() override;
  void start() override;
  void stop() override;
  // One pass: picks a file if needed and delivers one batch. True if events were delivered.
  bool poll_once();

 private:
  std::string next_file();
  void finish_file();
  void save_pos();
  std::string decode(std::string line, bool& bad);

  std::string dir_, suffix_, tracker_, file_key_, base_key_, order_, charset_, policy_;
  bool delete_, file_header_, base_header_;
  std::unique_ptr<RE2> include_, ignore_;
  int64_t poll_ms_;
  size_t batch_size_, max_line_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  // The file being read.
  std::string current_;
  int fd_ = -1;
  uint64_t pos_ = 0;
  int64_t picked_mtime_ = 0;
  int64_t picked_size_ = 0;
  std::set<std::string> failed_;  // files reported as errors, not picked again
  RateLimit warn_;
};

}  // namespace sluice
