// Indicators of compromise: their types, normalisation (defanged forms, case, trailing dots,
// IPv4-mapped IPv6, URL scheme/host case and default ports) and classification of a raw value.
// indicator.cpp normalises (copies); quick_class.cpp answers the same questions on the hot path
// without copying (classify_view() and the views it is made of).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::ioc {

enum class Type { Ipv4, Ipv6, Cidr, Domain, Url, Md5, Sha1, Sha256, Email };
const char* type_name(Type t);
std::optional<Type> parse_type(std::string_view s);  // ip, ipv4, ipv6, cidr, domain, url, md5, sha1, sha256, email, hash

// Undoes common defanging: hxxp(s) -> http(s), [.] (.) {.} [dot] -> ., [:] -> :, [@] [at] -> @.
std::string refang(std::string_view s);

struct Indicator {
  Type type;
  std::string value;  // normalised
};

// A normalised value found in an event, as a view (see extract.hpp for what it points into).
struct Candidate {
  Type type;
  std::string_view value;
  uint32_t ipv4 = 0;    // for an IPv4 candidate, its address (0: not parsed yet)
  uint32_t labels = 0;  // for a domain, its number of labels if the extractor counted them (0: not)
};

// Classifies and normalises a value from a feed or an event; nullopt if it is none of the types.
// `hint` forces a type (from a CSV column or a STIX pattern).
std::optional<Indicator> classify(std::string_view raw, std::optional<Type> hint = std::nullopt);

// classify(raw, hint) for the hot path, without copying: Normal when raw (or a prefix of it, for
// trailing dots) already is the normalised value, NotIt when classify() would return nullopt, and
// NeedsCopy when normalising changes the text (case, defanging, ports, ...): then call classify().
// For every input the answer agrees with classify() (tests/unit/ioc_extract_test.cpp checks it).
struct QuickClass {
  enum Kind { Normal, NotIt, NeedsCopy } kind;
  Type type = Type::Ipv4;
  std::string_view value;
  uint32_t ipv4 = 0;    // the address of a Normal IPv4
  uint32_t labels = 0;  // the number of labels of a Normal domain (0: not counted)
  QuickClass(Kind k) : kind(k) {}  // NOLINT(google-explicit-constructor): {QuickClass::NotIt}
  QuickClass(Kind k, Type t, std::string_view v, uint32_t a = 0, uint32_t l = 0)
      : kind(k), type(t), value(v), ipv4(a), labels(l) {}
};
// no_markers: the caller has checked that raw holds no '[', '(', '{' and no whitespace.
// (Then only a defanged scheme at the start, hxxp or fxp in any case, can make it NeedsCopy.)
bool defanged_scheme(std::string_view s);
QuickClass classify_view(std::string_view raw, Type hint, bool no_markers = false);

// Strict dotted-quad IPv4 (what inet_pton accepts: four decimal octets, no leading zeros) into a
// host-order number; false for anything else.
bool parse_ipv4(std::string_view s, uint32_t& out);

// A URL's authority from `from` (just past its "://"), in one pass: where it ends (the first '/',
// '?' or '#' at or after from, or npos) and what in it keeps the URL from being normal as it
// stands (upper case, ':', '@', ']'); '@' and ':' also tell the extractor where the host is.
// (A loop over a table: find_first_of calls memchr once per byte, which showed in the profile.)
struct Authority {
  size_t end = std::string_view::npos;
  bool plain = true;  // none of upper case, ':', '@', ']'
  bool at = false;
  bool colon = false;
  bool name = true;  // only lower-case letters, digits, '.', '-' and '_'
};
Authority scan_authority(std::string_view url, size_t from);
// classify_view(url, Type::Url, true) for a url that does not start with a defanged scheme, given
// its authority scanned from just past its first "://" (the extractor has it already).
QuickClass url_view(std::string_view url, const Authority& a);
// classify_view(s, Type::Domain, true) for a non-empty s that does not start with a defanged scheme. plain:
// the caller knows that s holds only lower-case letters, digits, '.', '-' and '_'.
QuickClass domain_view(std::string_view s, bool plain = false);

// Normalisers, exposed for tests and the extractor.
std::optional<std::string> normalize_ipv4(std::string_view s);
std::optional<std::string> normalize_ipv6(std::string_view s);  // IPv4-mapped become dotted IPv4
std::optional<std::string> normalize_domain(std::string_view s);
std::optional<std::string> normalize_url(std::string_view s);
std::optional<std::string> normalize_email(std::string_view s);

}  // namespace sluice::ioc
