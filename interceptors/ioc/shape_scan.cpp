#include "interceptors/ioc/shape_scan.hpp"

#include <hs.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sluice::ioc {
namespace {

// Each pattern is a piece that every candidate of its type must contain, so a token with no match
// holds no candidate. IPv4 addresses and domains are both "dotted runs": a label character, a dot,
// a label character, and the run goes on to the first character that is neither. The pattern ends
// one past the run (or at the end of the data), so a run is reported once, not at every dot: that
// keeps the number of reports, which cost more than the scanning, to about one per token.
// An e-mail address needs a domain with a dot, so its dotted run reports it (no '@' pattern).
// Defanged forms ("evil[.]com", "1[.]2[.]3[.]4", "2001[:]db8[:][:]1", "a[at]b.example", also
// nested) all contain a marker, reported by the last pattern; refang() happens in classification.
constexpr const char* kPatterns[] = {
    "://",                                                         // URL
    "[a-z0-9_-]\\.[a-z0-9_-][a-z0-9_.-]*(?:[^a-z0-9_.-]|$)",     // IPv4, domain, host:port
    "[0-9a-f]{32}",                                                // md5, sha1, sha256
    "::|(?:[0-9a-f]{1,4}:){6}[0-9a-f]",                             // IPv6: compressed or all groups
    "\\[(?:\\.|dot|:|://|@|at)\\]",                                // a defanging marker
};
constexpr unsigned kCount = sizeof kPatterns / sizeof kPatterns[0];

class Database {
 public:
  Database() {
    unsigned flags[kCount], ids[kCount];
    for (unsigned i = 0; i < kCount; ++i) {
      flags[i] = HS_FLAG_CASELESS;
      ids[i] = i;
    }
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(kPatterns, flags, ids, kCount, HS_MODE_BLOCK, nullptr, &db_, &err) != HS_SUCCESS) {
      std::string why = err && err->message ? err->message : "unknown error";
      hs_free_compile_error(err);
      throw std::logic_error("ioc shape patterns do not compile: " + why);
    }
  }
  ~Database() { hs_free_database(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  const hs_database_t* get() const { return db_; }

 private:
  hs_database_t* db_ = nullptr;
};

const Database& database() {
  static const Database db;  // compiled on first use; C++ makes the initialisation thread-safe
  return db;
}

struct Scratch {
  hs_scratch_t* s = nullptr;
  ~Scratch() { hs_free_scratch(s); }
};

hs_scratch_t* thread_scratch() {
  thread_local Scratch scratch;
  if (!scratch.s && hs_alloc_scratch(database().get(), &scratch.s) != HS_SUCCESS)
    throw std::bad_alloc();
  return scratch.s;
}

struct Sink {
  std::vector<size_t>* ends;
  size_t base;
};

int on_match(unsigned, unsigned long long, unsigned long long to, unsigned, void* ctx) {
  auto* sink = static_cast<Sink*>(ctx);
  sink->ends->push_back(sink->base + static_cast<size_t>(to));
  return 0;
}

// Windows of at most 1 GiB, cut after whitespace so that no shape spans two windows (no shape
// contains whitespace). A body without whitespace for a whole window is cut where it is.
constexpr size_t kWindow = size_t{1} << 30;

}  // namespace

void scan_shapes(std::string_view body, std::vector<size_t>& ends) {
  ends.clear();
  const hs_database_t* db = database().get();
  hs_scratch_t* scratch = thread_scratch();
  size_t start = 0;
  while (start < body.size()) {
    size_t len = std::min(kWindow, body.size() - start);
    if (start + len < body.size()) {
      size_t cut = body.substr(start, len).find_last_of(" \t\r\n");
      if (cut != std::string_view::npos && cut > 0) len = cut + 1;
    }
    Sink sink{&ends, start};
    hs_error_t rc = hs_scan(db, body.data() + start, static_cast<unsigned>(len), 0, scratch, on_match, &sink);
    if (rc != HS_SUCCESS) throw std::runtime_error("hyperscan scan failed: " + std::to_string(rc));
    start += len;
  }
  // Hyperscan reports in end-offset order within a scan; sort anyway rather than rely on it.
  if (!std::is_sorted(ends.begin(), ends.end())) std::sort(ends.begin(), ends.end());
}

}  // namespace sluice::ioc
