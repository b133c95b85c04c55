// Fuzzes what the WebHDFS backend reads from a namenode: RemoteException errors, GETFILESTATUS
// lengths and LISTSTATUS entries. None of these may throw, and a listed name is one path segment.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sinks/backends/webhdfs_storage.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::storage;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto e = parse_remote_exception(body); e && e->exception.empty()) __builtin_trap();
  if (auto n = parse_file_length(body); n && *n < 0) __builtin_trap();
  if (auto list = parse_list_status(body))
    for (const auto& d : *list)
      if (d.name.empty() || d.name == "." || d.name == ".." || d.name.find('/') != std::string::npos) __builtin_trap();
  return 0;
}
