// Candidate extraction. Body mode: a Hyperscan scan of the body finds candidate shapes (tokens
// with a '.', '[' or ':', hex runs; see shape_scan.hpp); the token around each
// match (cut at whitespace, quotes, brackets and separators) is classified exactly (URL and its
// host, host:port, IPv4/IPv6, email and its domain, md5/sha1/sha256, domain). Tokens without a
// shape are never looked at again.
// Field mode takes the fields of a known format instead: squid (native access.log: client IP,
// URL host, destination IP), combined (Apache/nginx: client IP, request URL, referer) and syslog
// (the message part of an RFC 3164/5424 line: PRI, timestamp and host are not swept).
// Candidates are views: into the body (a value already in normal form, the common case, is not
// copied) or into the Candidates' own storage, so the body must outlive them.
#pragma once
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "interceptors/ioc/indicator.hpp"

namespace sluice::ioc {

enum class Mode { Body, Squid, Combined, Json, Syslog };

struct Candidates {
  std::vector<Candidate> items;
  std::string source_key;  // the client IP where the format has one (for de-duplication)

  // Empties items and storage; capacity is kept, so a reused Candidates does not allocate.
  void clear();
  // A copy of s that stays valid until clear().
  std::string_view keep(std::string_view s);
  std::vector<size_t> shape_ends;  // scratch for the shape scan

 private:
  std::deque<std::string> kept_;  // a deque: growing it never moves the strings views point into
  size_t used_ = 0;
};

void extract(std::string_view body, Mode mode, Candidates& out);
// Classifies one value as a body would be (for field extractors); appends to out.
void add_token(std::string_view value, Candidates& out);
// Body mode without the shape scan: every token of the body is classified. The reference that the
// scan must agree with (unit tests and the fuzzer compare the two); not for the hot path.
void extract_every_token(std::string_view body, Candidates& out);
// extract() with every token classified by that reference's code (the fields of a mode are the
// same): what extract() must agree with in every mode.
void extract_reference(std::string_view body, Mode mode, Candidates& out);
// Body mode for n bodies (a batch) with one shape scan over all of them: a scan's fixed cost is
// larger than a short line's. Calls each(i, candidates of body(i)) for i = 0..n-1 in order; the
// candidates are the same as extract(body(i), Mode::Body) gives. body(i) must return the same
// bytes every time it is called. `shapes` (shape_scan.hpp) limits the scan to the shapes of the
// indicator types that can match: a candidate of another type may then be missing.
// Body i's candidates are written to outs[i % outs.size()], so they stay valid while the next
// outs.size() - 1 bodies are classified (a caller can finish one event while preparing the next).
void extract_bodies(size_t n, const std::function<std::string_view(size_t)>& body,
                    const std::function<void(size_t, const Candidates&)>& each, std::span<Candidates> outs,
                    unsigned shapes = 7);
inline void extract_bodies(size_t n, const std::function<std::string_view(size_t)>& body,
                           const std::function<void(size_t, const Candidates&)>& each, Candidates& out,
                           unsigned shapes = 7) {
  extract_bodies(n, body, each, std::span<Candidates>(&out, 1), shapes);
}

}  // namespace sluice::ioc
