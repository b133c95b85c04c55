// The file channel's write-ahead log: numbered files log-<n> of CRC-checked records.
//   record = u32 magic 'SLWL' | u8 type (1 put, 2 take, 3 commit) | u64 tx | u64 event id |
//            u32 payload length | payload (put: the event as Avro binary) | u32 CRC-32 of type..payload
// Replay applies the puts and takes of committed transactions only; a transaction's records are in one
// file. File numbers are global across the data directories and event ids are unique, so the result
// does not depend on the order files are read in: the live events are the committed puts minus the
// committed takes, in event id order. A record cut short or with a bad CRC at the very end of the
// newest file of a directory is a torn tail from a crash: it is truncated. A bad
// record followed by good ones is corruption: replay stops with the file and offset, unless the
// caller opted in to skipping it.
#pragma once
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/event.hpp"
#include "channels/checkpoint.hpp"

namespace sluice::wal {

enum class RecordType : uint8_t { Put = 1, Take = 2, Commit = 3 };

class CorruptLog : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void append_record(std::string& out, RecordType type, uint64_t tx, uint64_t id, std::string_view payload = {});

struct LiveEvent {
  Event event;
  uint32_t file;    // log file number
  uint64_t offset;  // of its put record in that file
};

struct Replayed {
  std::map<uint64_t, LiveEvent> live;  // event id -> event, in id order
  uint64_t max_id = 0, max_tx = 0;
  uint32_t max_file = 0;
  std::map<uint32_t, size_t> file_dir;  // every log file read -> index of its directory
  size_t truncated_bytes = 0, skipped_records = 0;
  size_t files_read = 0;  // files (or their tails after a checkpoint) read record by record
};

// Replays the log-<n> files in dirs: all of them, or with a checkpoint (channels/checkpoint.hpp) only
// what was written after it, plus the put records of the events it lists. Throws CorruptLog (with file
// and offset) on corruption unless skip_corrupt, when two directories hold the same file number, or
// when an event of the checkpoint cannot be read (an event in a file older than every file left was
// consumed: such files are deleted only when fully taken).
Replayed replay(const std::vector<std::string>& dirs, bool skip_corrupt, const Checkpoint* from = nullptr);

std::string log_path(const std::string& dir, uint32_t n);
std::vector<uint32_t> log_files(const std::string& dir);

}  // namespace sluice::wal
