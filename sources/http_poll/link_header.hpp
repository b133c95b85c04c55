// RFC 8288 Link header: finds the target of rel="next" (pagination as GitHub, GitLab and most
// REST APIs do it) and resolves it against the URL of the response that carried it.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace sluice::http_poll {

// The URI-reference of the first link whose rel includes "next" (rel may list several
// space-separated types, quoted or not); nullopt if none. A header may hold several links
// separated by commas; commas inside <...> belong to the URI.
std::optional<std::string> next_link(std::string_view link_header);

// base + reference -> absolute URL (RFC 3986 resolution); nullopt if either does not parse.
std::optional<std::string> resolve_url(const std::string& base, const std::string& reference);

}  // namespace sluice::http_poll
