#include "agent/version.hpp"

#include <hs/hs.h>
#include <libdeflate.h>
#include <librdkafka/rdkafka.h>
#include <openssl/crypto.h>
#include <zlib.h>

#include <boost/version.hpp>

namespace sluice {

std::string (*allocator_text)() = [] { return std::string("glibc malloc"); };

std::string version_text() {
  std::string s = "sluice " SLUICE_VERSION " (git " SLUICE_GIT_REV ", " SLUICE_BUILD_TYPE ")\n";
  s += "  boost " + std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." +
       std::to_string(BOOST_VERSION % 100) + "\n";
  s += std::string("  librdkafka ") + rd_kafka_version_str() + "\n";
  s += std::string("  zlib ") + zlibVersion() + "\n";
  s += std::string("  libdeflate ") + LIBDEFLATE_VERSION_STRING + "\n";
  s += std::string("  ") + OpenSSL_version(OPENSSL_VERSION) + "\n";
  s += std::string("  hyperscan ") + hs_version() + "\n";
  s += "  allocator " + allocator_text() + "\n";
  return s;
}

}  // namespace sluice
