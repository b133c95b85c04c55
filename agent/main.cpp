#include <cstdlib>
#include <memory>
#include <string>

#include "agent/cli.hpp"
#include "agent/version.hpp"

#ifdef SLUICE_MIMALLOC
#include <mimalloc.h>

namespace {
// Events are allocated on source threads and freed on sink threads; glibc's malloc spends a third
// of the syslog path's CPU on that (arena locks, trimming). mimalloc replaces malloc for the whole
// process because the binary links it (bench/RESULTS.md, "allocator"). Reports whether it really
// serves malloc(), so a packaging or link-order mistake is visible in `sluice version`.
std::string mimalloc_text() {
  auto probe = std::make_unique<char[]>(64);
  bool serves = mi_is_in_heap_region(probe.get());
  int v = mi_version();
  return "mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." + std::to_string(v % 10) +
         (serves ? " (serves malloc)" : " (linked, but NOT serving malloc)");
}
}  // namespace
#endif

int main(int argc, char** argv) {
  // With TZ unset glibc stats /etc/localtime on every local-time conversion (one syscall per syslog
  // message: a quarter of the agent's CPU in the syslog bench). Naming the file makes glibc read it
  // once; a changed system zone is then picked up at the next start.
  setenv("TZ", ":/etc/localtime", 0);
#ifdef SLUICE_MIMALLOC
  sluice::allocator_text = mimalloc_text;
#endif
  return sluice::run_cli(argc, argv);
}
