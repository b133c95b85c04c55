// TAILDIR's position file, in Flume's format so a Flume-made file is picked up:
//   [{"inode":2496275,"pos":1234,"file":"/var/log/squid/access.log"}, ...]
// Written atomically (temporary file, fsync, rename) so a crash never leaves half a file.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sluice::taildir {

struct Position {
  uint64_t inode = 0;
  uint64_t pos = 0;
  std::string file;
};

// Missing file: empty and true. Unreadable or not Flume's JSON: false with the reason in error
// (the source then starts as if there were no positions and says so).
bool load_positions(const std::string& path, std::vector<Position>& out, std::string& error);
// Throws std::runtime_error when the file cannot be written.
void save_positions(const std::string& path, const std::vector<Position>& positions);

}  // namespace sluice::taildir
