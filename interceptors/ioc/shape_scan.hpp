// Candidate shapes in event bodies, found with Hyperscan block-mode scans: an *interesting token*,
// one that holds a '.', a '[' or (for IPv6 and URL shapes) a ':', except a number with one dot
// (Squid's "1763856000.123": digits around one dot are no indicator), reported once, one byte past its
// end (at the separator that ends it), and a run of 32 hex digits (md5/sha1/sha256), reported where
// it ends. Every candidate of every indicator type lies in a token with one of these (defanging
// markers all hold '['), so a token without a report holds no candidate. The extractor widens a
// report to the token around it and classifies the token exactly (extract.cpp).
// A sweeper looks only for the shapes its loaded indicator types can match (a feed of domains and
// IPs needs no hash or URL shapes): the token pattern always (with ':' only for kShapeUrl or
// kShapeIp), the hex run with kShapeHash. The three databases are each compiled once per process on
// first use (prepare_shapes() lets a feed reload do that off the hot path) and never freed, so a
// reload that changes the flags only changes which databases the next scan uses. Each thread that
// scans has its own Hyperscan scratch, grown for every database it has used (scratch is not
// thread-safe).
#pragma once
#include <cstddef>
#include <string_view>
#include <vector>

namespace sluice::ioc {

// What separates tokens: whitespace, quotes, brackets (not '[' ']', which defanged values use) and
// punctuation that never occurs inside an indicator. The scan and the extractor share it.
inline constexpr std::string_view kTokenSeparators = " \t\n\v\f\r\"'<>,;|(){}\\`";

enum ShapeFlags : unsigned {
  kShapeUrl = 1,   // URL candidates; tokens with ':' (a URL with a dotted host has a '.' anyway)
  kShapeHash = 2,  // 32 hex digits: md5, sha1, sha256
  kShapeIp = 4,    // tokens with ':': IPv6 and hex-written IPv4-mapped addresses
  kAllShapes = 7,
};

// Compiles the database for these flags now if it is not yet (it is otherwise compiled on first use).
void prepare_shapes(unsigned flags);

// Replaces `ends` with the end offset (exclusive) of every shape match in body, ascending (for a
// token: one past its separator, or body.size() for a last token with no separator after it); an
// offset may repeat. Bodies of any length are scanned (in windows below Hyperscan's 4 GiB block
// limit).
void scan_shapes(std::string_view body, std::vector<size_t>& ends, unsigned flags = kAllShapes);

}  // namespace sluice::ioc
