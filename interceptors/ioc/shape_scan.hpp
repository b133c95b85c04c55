// Candidate shapes in event bodies, found with one Hyperscan block-mode scan: a URL scheme
// separator, a dotted run (IPv4, domain, the domain of an e-mail), 32+ hex digits (md5/sha1/sha256),
// an IPv6 address's '::' or its six first groups (not a clock's 10:00:00), and the defanging markers the normaliser undoes (`[.]`, `[dot]`, `[:]`,
// `[@]`, `[at]`, `[://]`). The scan reports where a shape ends (for a dotted run: one byte past it,
// which may be a separator); the extractor widens that to the token around it and classifies the
// token exactly (see extract.cpp for why the database does not find the token's start itself).
// The patterns are fixed, so the database is compiled once per process and never changes on a feed
// reload; each thread that scans gets its own Hyperscan scratch (scratch is not thread-safe).
#pragma once
#include <cstddef>
#include <string_view>
#include <vector>

namespace sluice::ioc {

// Replaces `ends` with the end offset (exclusive) of every shape match in body, ascending; an offset
// may repeat. Bodies of any length are scanned (in windows below Hyperscan's 4 GiB block limit).
void scan_shapes(std::string_view body, std::vector<size_t>& ends);

}  // namespace sluice::ioc
