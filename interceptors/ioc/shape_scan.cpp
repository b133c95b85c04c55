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

constexpr std::string_view kSeparators = kTokenSeparators;

// A character class of kSeparators for a pattern ("[...]"), each byte written as \xHH.
std::string separator_class(bool negated) {
  static const char* hex = "0123456789abcdef";
  std::string c = negated ? "[^" : "[";
  for (unsigned char ch : kSeparators) c += std::string("\\x") + hex[ch >> 4] + hex[ch & 15];
  return c + "]";
}

// Every candidate of the indicator types is in a token that holds a '.' (IPv4, domains, e-mail
// domains, URLs with a dotted host, IPv4-mapped IPv6), a '[' (defanged forms: "evil[.]com",
// "a[at]b", "2001[:]db8[:][:]1"), a ':' (IPv6, URLs with an undotted host such as
// http://localhost/) or 32 hex digits (md5, sha1, sha256). The token pattern is such a character
// followed by the rest of its token and the separator that ends it: Hyperscan reports a match once
// per end offset, so an interesting token is reported once, just past its end, whatever the
// number of dots in it (reports cost more than scanning). ':' is in the class only for sweepers
// that need IPv6 or URL shapes. The hex run is its own database: in one database with the token
// pattern both scan at about half the speed of the two scanned one after the other (measured with
// the ioc_bench corpora: 4.5-5 GB/s and 1.0-1.2 GB/s alone, ~0.9 GB/s together).
// A token with a '.' is left out when it holds nothing but digits and that one dot (every Squid
// line opens with such a timestamp; a report costs about as much as classifying it): the pattern
// wants a marker, or a dot with a byte other than a digit or dot on either side, or two dots.
std::string token_pattern(bool colon) {
  std::string token = separator_class(true), end = separator_class(false);
  std::string other = token.substr(0, token.size() - 1) + "0-9.]";  // a token byte that is no digit or dot
  std::string marks = colon ? "[:\\[]" : "\\[";
  return "(?:" + marks + "|\\." + token + "*" + other + "|" + other + token + "*\\.|\\." + token + "*\\.)" + token + "*" + end;
}
constexpr const char* kHashPattern = "[0-9a-f]{32}";

class Database {
 public:
  explicit Database(const std::string& pattern) {
    hs_compile_error_t* err = nullptr;
    if (hs_compile(pattern.c_str(), HS_FLAG_CASELESS, HS_MODE_BLOCK, nullptr, &db_, &err) != HS_SUCCESS) {
      std::string why = err && err->message ? err->message : "unknown error";
      hs_free_compile_error(err);
      throw std::logic_error("ioc shape pattern " + pattern + " does not compile: " + why);
    }
  }
  ~Database() { hs_free_database(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  const hs_database_t* get() const { return db_; }

 private:
  hs_database_t* db_ = nullptr;
};

// Three databases: tokens without ':' (0), tokens with ':' (1), hex runs (2).
enum Which { kTokens = 0, kTokensColon = 1, kHex = 2 };
const Database& database(Which which) {
  static std::once_flag once[3];
  static std::unique_ptr<Database> databases[3];
  std::call_once(once[which], [which] {
    databases[which] = std::make_unique<Database>(which == kHex ? std::string(kHashPattern) : token_pattern(which == kTokensColon));
  });
  return *databases[which];
}

struct Scratch {
  hs_scratch_t* s = nullptr;
  unsigned grown_for = 0;  // bit i: big enough for database(i)
  ~Scratch() { hs_free_scratch(s); }
};

hs_scratch_t* thread_scratch(Which which) {
  thread_local Scratch scratch;
  if (!(scratch.grown_for & (1u << which))) {
    if (hs_alloc_scratch(database(which).get(), &scratch.s) != HS_SUCCESS) throw std::bad_alloc();
    scratch.grown_for |= 1u << which;
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

bool is_separator(char c) { return kSeparators.find(c) != std::string_view::npos; }

// The token pattern needs the separator after a token; a body that does not end in one gets a
// report at its end when its last token has an interesting character (the scan could not tell).
void check_tail(std::string_view window, size_t base, bool colon, std::vector<size_t>& ends) {
  if (window.empty() || is_separator(window.back())) return;
  for (size_t i = window.size(); i > 0 && !is_separator(window[i - 1]); --i) {
    char c = window[i - 1];
    if (c == '.' || c == '[' || (colon && c == ':')) {
      ends.push_back(base + window.size());
      return;
    }
  }
}

void scan_one(Which which, std::string_view window, size_t base, std::vector<size_t>& ends) {
  Sink sink{&ends, base};
  hs_error_t rc = hs_scan(database(which).get(), window.data(), static_cast<unsigned>(window.size()), 0,
                          thread_scratch(which), on_match, &sink);
  if (rc != HS_SUCCESS) throw std::runtime_error("hyperscan scan failed: " + std::to_string(rc));
}

// Windows of at most 1 GiB, cut after whitespace so that no shape spans two windows (no shape
// contains whitespace). A body without whitespace for a whole window is cut where it is.
constexpr size_t kWindow = size_t{1} << 30;

}  // namespace

void prepare_shapes(unsigned flags) {
  database(flags & (kShapeUrl | kShapeIp) ? kTokensColon : kTokens);
  if (flags & kShapeHash) database(kHex);
}

void scan_shapes(std::string_view body, std::vector<size_t>& ends, unsigned flags) {
  ends.clear();
  bool colon = flags & (kShapeUrl | kShapeIp);
  Which tokens = colon ? kTokensColon : kTokens;
  thread_local std::vector<size_t> hex_ends;
  hex_ends.clear();
  size_t start = 0;
  while (start < body.size()) {
    size_t len = std::min(kWindow, body.size() - start);
    if (start + len < body.size()) {
      size_t cut = body.substr(start, len).find_last_of(" \t\r\n");
      if (cut != std::string_view::npos && cut > 0) len = cut + 1;
    }
    std::string_view window = body.substr(start, len);
    scan_one(tokens, window, start, ends);
    if (start + len == body.size()) check_tail(window, start, colon, ends);
    else if (!is_separator(window.back())) ends.push_back(start + len);  // cut inside a token: widen there
    if (flags & kShapeHash) scan_one(kHex, window, start, hex_ends);
    start += len;
  }
  // Each scan reports in end-offset order; the two lists are merged (and sorted anyway, rather
  // than rely on the order).
  if (!hex_ends.empty()) {
    size_t mid = ends.size();
    ends.insert(ends.end(), hex_ends.begin(), hex_ends.end());
    std::inplace_merge(ends.begin(), ends.begin() + static_cast<std::ptrdiff_t>(mid), ends.end());
  }
  if (!std::is_sorted(ends.begin(), ends.end())) std::sort(ends.begin(), ends.end());
}

}  // namespace sluice::ioc
