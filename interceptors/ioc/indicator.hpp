// Indicators of compromise: their types, normalisation (defanged forms, case, trailing dots,
// IPv4-mapped IPv6, URL scheme/host case and default ports) and classification of a raw value.
#pragma once
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

// Classifies and normalises a value from a feed or an event; nullopt if it is none of the types.
// `hint` forces a type (from a CSV column or a STIX pattern).
std::optional<Indicator> classify(std::string_view raw, std::optional<Type> hint = std::nullopt);

// Normalisers, exposed for tests and the extractor.
std::optional<std::string> normalize_ipv4(std::string_view s);
std::optional<std::string> normalize_ipv6(std::string_view s);  // IPv4-mapped become dotted IPv4
std::optional<std::string> normalize_domain(std::string_view s);
std::optional<std::string> normalize_url(std::string_view s);
std::optional<std::string> normalize_email(std::string_view s);

}  // namespace sluice::ioc
