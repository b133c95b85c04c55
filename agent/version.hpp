// `sluice version`: version, git revision, build type and the versions of the libraries linked in.
#pragma once
#include <string>

namespace sluice {
std::string version_text();
}
