// Candidate shapes in event bodies, found with one Hyperscan block-mode scan: a URL scheme
// separator, a dotted run (IPv4, domain, the domain of an e-mail), 32+ hex digits (md5/sha1/sha256),
// an IPv6 address's '::' or its six first groups (not a clock's 10:00:00), and the defanging markers the normaliser undoes (`[.]`, `[dot]`, `[:]`,
// `[@]`, `[at]`, `[://]`). The scan reports where a shape ends (for a dotted run: one byte past it,
// which may be a separator); the extractor widens that to the token around it and classifies the
// token exactly (see extract.cpp for why the database does not find the token's start itself).
// A sweeper looks only for the shapes its loaded indicator types can match (a feed of domains and
// IPs needs no hash or URL shapes): the dotted run and the markers always, the others by flag.
// There are eight possible databases, each compiled once per process on first use (prepare_shapes()
// lets a feed reload do that off the hot path) and never freed, so a reload that changes the flags
// only changes which database the next scan uses. Each thread that scans has its own Hyperscan
// scratch, grown for every database it has used (scratch is not thread-safe).
#pragma once
#include <cstddef>
#include <string_view>
#include <vector>

namespace sluice::ioc {

enum ShapeFlags : unsigned {
  kShapeUrl = 1,   // "://": URL candidates (hosts with a dot are dotted runs anyway)
  kShapeHash = 2,  // 32 hex digits: md5, sha1, sha256
  kShapeIp = 4,    // IPv6 "::" or groups: IPv6 and hex-written IPv4-mapped addresses
  kAllShapes = 7,
};

// Compiles the database for these flags now if it is not yet (it is otherwise compiled on first use).
void prepare_shapes(unsigned flags);

// Replaces `ends` with the end offset (exclusive) of every shape match in body, ascending; an offset
// may repeat. Bodies of any length are scanned (in windows below Hyperscan's 4 GiB block limit).
void scan_shapes(std::string_view body, std::vector<size_t>& ends, unsigned flags = kAllShapes);

}  // namespace sluice::ioc
