// Flume type: file_roll (org.apache.flume.sink.RollingFileSink)
// Keys: sink.directory (required), sink.rollInterval (30 s; 0 never rolls), sink.batchSize (100),
// sink.serializer (TEXT | header_and_text), sink.serializer.appendNewline (true),
// sink.pathManager (DEFAULT | ROLLTIME), sink.pathManager.prefix (""), sink.pathManager.extension ("").
// Files are named as Flume's path managers name them: DEFAULT `<prefix><startMillis>-<n>[.<ext>]`,
// ROLLTIME `<prefix><yyyyMMddHHmmss>-<n>[.<ext>]`, n counting from 1.
// Guarantee: a batch is written and fsync'ed before the channel transaction commits (Flume only
// flushes); an unwritable directory or a failed write rolls the batch back and the sink retries.
#pragma once
#include <chrono>
#include <cstdio>

#include "agent/sink.hpp"

namespace sluice {

class FileRollSink : public BatchSink {
 public:
  FileRollSink(const std::string& name, Context& ctx);
  ~FileRollSink() override;
  void start() override;
  void stop() override;
  const std::string& current_path() const { return path_; }

 protected:
  void deliver(const Batch& batch) override;
  void idle() override;

 private:
  void roll_if_due();
  void open_next();
  void close_file();

  std::string directory_;
  int64_t roll_interval_s_;
  bool header_and_text_;
  bool append_newline_;
  bool roll_time_names_;
  std::string prefix_, extension_;
  int64_t series_ms_ = 0;
  int index_ = 0;
  int fd_ = -1;
  std::string path_;
  std::chrono::steady_clock::time_point next_roll_;
  std::string buffer_;
};

}  // namespace sluice
