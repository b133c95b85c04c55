#include "agent/cli.hpp"

#include <cstdio>

namespace sluice {
int run_cli(int, char**) {
  std::puts("sluice " SLUICE_VERSION);
  return 0;
}
}  // namespace sluice
