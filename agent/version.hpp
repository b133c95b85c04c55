// `sluice version`: version, git revision, build type and the versions of the libraries linked in.
#pragma once
#include <string>

namespace sluice {
std::string version_text();

// The allocator line of version_text(). The agent binary links mimalloc (see CMakeLists.txt) and
// replaces this with a function that reports it; libraries and tests keep glibc's malloc.
extern std::string (*allocator_text)();
}
