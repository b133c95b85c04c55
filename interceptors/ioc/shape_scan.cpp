#include "interceptors/ioc/shape_scan.hpp"

#include <hs.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <utility>
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
// Pattern, and the flag that selects it (0: always scanned).
constexpr std::pair<const char*, unsigned> kPatterns[] = {
    {"[a-z0-9_-]\\.[a-z0-9_-][a-z0-9_.-]*(?:[^a-z0-9_.-]|$)", 0},  // IPv4, domain, host:port, e-mail
    {"\\[(?:\\.|dot|:|://|@|at)\\]", 0},                            // a defanging marker
    {"://", kShapeUrl},                                              // URL
    {"[0-9a-f]{32}", kShapeHash},                                    // md5, sha1, sha256
    {"::|(?:[0-9a-f]{1,4}:){6}[0-9a-f]", kShapeIp},                   // IPv6: compressed or all groups
};

class Database {
 public:
  explicit Database(unsigned shapes) {
    std::vector<const char*> patterns;
    std::vector<unsigned> flags, ids;
    for (const auto& [pattern, flag] : kPatterns) {
      if (flag != 0 && !(shapes & flag)) continue;
      patterns.push_back(pattern);
      flags.push_back(HS_FLAG_CASELESS);
      ids.push_back(static_cast<unsigned>(ids.size()));
    }
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(patterns.data(), flags.data(), ids.data(), static_cast<unsigned>(patterns.size()),
                         HS_MODE_BLOCK, nullptr, &db_, &err) != HS_SUCCESS) {
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

const Database& database(unsigned shapes) {
  shapes &= kAllShapes;
  static std::once_flag once[kAllShapes + 1];
  static std::unique_ptr<Database> databases[kAllShapes + 1];
  std::call_once(once[shapes], [shapes] { databases[shapes] = std::make_unique<Database>(shapes); });
  return *databases[shapes];
}

struct Scratch {
  hs_scratch_t* s = nullptr;
  unsigned grown_for = 0;  // bit i: big enough for database(i)
  ~Scratch() { hs_free_scratch(s); }
};

hs_scratch_t* thread_scratch(const Database& db, unsigned shapes) {
  thread_local Scratch scratch;
  if (!(scratch.grown_for & (1u << shapes))) {
    if (hs_alloc_scratch(db.get(), &scratch.s) != HS_SUCCESS) throw std::bad_alloc();
    scratch.grown_for |= 1u << shapes;
  }
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

void prepare_shapes(unsigned flags) { database(flags); }

void scan_shapes(std::string_view body, std::vector<size_t>& ends, unsigned flags) {
  ends.clear();
  flags &= kAllShapes;
  const Database& database_for_flags = database(flags);
  const hs_database_t* db = database_for_flags.get();
  hs_scratch_t* scratch = thread_scratch(database_for_flags, flags);
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
