// What an http_poll source remembers between polls and across restarts (the `stateFile`): the
// validators of the last response (ETag, Last-Modified) for conditional requests, the line
// cursor of a `lines` feed, and the next page still to fetch when pagination stopped at the cap
// or at a crash. Saved as JSON, atomically (temp file, fsync, rename), and only after the events
// it accounts for were committed to the channel.
#pragma once
#include <string>

#include "sources/http_poll/line_cursor.hpp"

namespace sluice::http_poll {

struct PollState {
  std::string etag;
  std::string last_modified;
  LineCursor lines;
  std::string resume_url;  // Link rel="next" not yet fetched; empty when the last poll finished
  bool operator==(const PollState&) const = default;
};

// A missing file is an empty state. Throws std::runtime_error if it exists but cannot be read.
PollState load_poll_state(const std::string& path);

// Throws std::runtime_error (with the path and errno text) if the state could not be written.
void save_poll_state(const std::string& path, const PollState& state);

}  // namespace sluice::http_poll
