#include "sources/http_poll/response_splitter.hpp"

#include <boost/json.hpp>

namespace sluice::http_poll {

std::optional<FeedFormat> parse_feed_format(std::string_view name) {
  if (name == "lines") return FeedFormat::Lines;
  if (name == "json_array") return FeedFormat::JsonArray;
  if (name == "json_lines") return FeedFormat::JsonLines;
  if (name == "body") return FeedFormat::Body;
  return std::nullopt;
}

void append_lines(std::string_view body, std::vector<std::string>& out) {
  size_t start = 0;
  while (start < body.size()) {
    size_t nl = body.find('\n', start);
    size_t end = nl == std::string_view::npos ? body.size() : nl;
    std::string_view line = body.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) out.emplace_back(line);
    start = end + 1;
  }
}

namespace {

void split_json_array(std::string_view body, SplitResult& r) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) {
    r.error = "the response is not JSON: " + ec.message();
    return;
  }
  if (!v.is_array()) {
    r.error = "the response is JSON but not an array (format = json_array)";
    return;
  }
  for (const auto& element : v.as_array()) {
    if (element.is_string())
      r.records.emplace_back(element.as_string().c_str(), element.as_string().size());
    else
      r.records.push_back(boost::json::serialize(element));
  }
}

void split_json_lines(std::string_view body, SplitResult& r) {
  std::vector<std::string> lines;
  append_lines(body, lines);
  for (auto& line : lines) {
    boost::system::error_code ec;
    boost::json::parse(line, ec);
    if (ec) {
      ++r.invalid;
      continue;
    }
    r.records.push_back(std::move(line));
  }
}

}  // namespace

SplitResult split_response(FeedFormat format, std::string_view body) {
  SplitResult r;
  switch (format) {
    case FeedFormat::Lines:
      append_lines(body, r.records);
      break;
    case FeedFormat::JsonArray:
      split_json_array(body, r);
      break;
    case FeedFormat::JsonLines:
      split_json_lines(body, r);
      break;
    case FeedFormat::Body:
      if (!body.empty()) r.records.emplace_back(body);
      break;
  }
  return r;
}

}  // namespace sluice::http_poll
