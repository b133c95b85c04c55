// The file channel's checkpoint: the queue as pointers into the log, so replay reads only what was
// written after it. Taken while no commit is between its log write and its effect on the queue, it
// records every live event (id, log file, offset of its put record), the end of every active log file,
// and the highest file number given out. A log file numbered up to that and not active then was
// complete before the checkpoint: replay skips it; an active one is read from the recorded offset.
//   file = "SLCP" | u32 version 1 | u64 next id | u64 next tx | u32 max file | u32 n active |
//          n x (u32 file | u64 end) | u64 n live | n x (u64 id | u32 file | u64 offset) | u32 CRC-32
// Written as <dir>/sluice-checkpoint.tmp, fsynced, renamed over <dir>/sluice-checkpoint, directory
// fsynced: a crash leaves the old or the new checkpoint, never half of one.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

struct Checkpoint {
  struct Entry {
    uint64_t id;
    uint32_t file;
    uint64_t offset;
  };
  uint64_t next_id = 1, next_tx = 1;
  uint32_t max_file = 0;
  std::map<uint32_t, uint64_t> active;  // active log file -> its size
  std::vector<Entry> live;              // in id order
};

namespace checkpoint {

std::string path(const std::string& dir);
// Throws std::runtime_error (with the path and errno text) when it cannot be written.
void write(const std::string& dir, const Checkpoint& cp);
// nullopt when there is none; throws std::runtime_error when it is unreadable or its CRC is wrong.
std::optional<Checkpoint> read(const std::string& dir);

}  // namespace checkpoint
}  // namespace sluice
