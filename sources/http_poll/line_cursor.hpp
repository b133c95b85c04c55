// Resuming an append-only `lines` feed when the server sends the whole file again: the cursor is
// the byte offset just past the last line emitted plus the SHA-256 of every byte before it. If a
// new response starts with exactly those bytes, only what follows is new; otherwise the feed was
// replaced (rotated, truncated, rewritten) and it is read from its start.
// A last line without its "\n" is not emitted yet: on an append-only feed it may still be growing.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::http_poll {

struct LineCursor {
  uint64_t offset = 0;
  std::string prefix_sha256;  // hex; empty when offset is 0
  bool operator==(const LineCursor&) const = default;
};

struct LineWindow {
  size_t begin = 0;       // first byte of new lines
  size_t end = 0;         // one past the last complete line's "\n"
  bool replaced = false;  // the response did not continue the cursor's content
  LineCursor next;        // the cursor once body[begin, end) is delivered
};

LineWindow new_lines(std::string_view body, const LineCursor& cursor);

std::string sha256_hex(std::string_view data);

}  // namespace sluice::http_poll
