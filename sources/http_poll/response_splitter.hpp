// Cuts one HTTP response body into event bodies, by the source's `format`:
//   lines       one event per line ("\n" or "\r\n"; empty lines skipped)
//   json_array  the body is one JSON array; one event per element, as compact JSON (a string
//               element is emitted as the string itself: feeds like ["1.2.3.4", ...])
//   json_lines  one JSON value per line; a line that is not valid JSON is skipped and counted
//   body        the whole response is one event (none for an empty body)
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http_poll {

enum class FeedFormat { Lines, JsonArray, JsonLines, Body };

// "lines" | "json_array" | "json_lines" | "body"; nullopt otherwise.
std::optional<FeedFormat> parse_feed_format(std::string_view name);

struct SplitResult {
  std::vector<std::string> records;
  size_t invalid = 0;  // json_lines: lines skipped because they were not JSON
  std::string error;   // json_array: the body is not a JSON array (then records is empty)
};

SplitResult split_response(FeedFormat format, std::string_view body);

// The non-empty lines of body, without their "\n" / "\r\n".
void append_lines(std::string_view body, std::vector<std::string>& out);

}  // namespace sluice::http_poll
