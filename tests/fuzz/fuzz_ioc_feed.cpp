// Fuzzes the IOC feed parsers (text, CSV, STIX 2.1) and then looks up, in the set they built, every
// candidate the extractor finds in the same bytes. The first two bytes choose the format and CSV
// layout: byte 0 = format (0 text, 1 csv, 2 stix) + 4 * header flag; byte 1 = delimiter and columns.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "interceptors/ioc/extract.hpp"
#include "interceptors/ioc/feed.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::ioc;
  if (size < 2) return 0;
  FeedSpec spec;
  spec.name = "fuzz";
  spec.path = "fuzz.feed";
  spec.format = static_cast<FeedSpec::Format>(data[0] % 3);
  spec.header = data[0] & 4;
  static const char kDelims[] = {',', ';', '\t', '|'};
  spec.delimiter = kDelims[data[1] & 3];
  spec.value_column = (data[1] >> 2) & 1;
  spec.type_column = (data[1] >> 3) & 1 ? 1 - spec.value_column : -1;
  spec.feed_column = (data[1] >> 4) & 1 ? 2 : -1;
  spec.expires_column = (data[1] >> 5) & 1 ? 3 : -1;
  std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
  IndicatorSet set;
  try {
    auto r = parse_feed(spec, text, set, 1763856000);
    if (r.errors.size() > 20 || set.size() > r.loaded) __builtin_trap();
  } catch (const std::runtime_error&) {
    if (spec.format != FeedSpec::Format::Stix) __builtin_trap();  // only a bad STIX bundle may throw
  }
  Candidates c;
  extract(text, Mode::Body, c);
  for (const auto& i : c.items) set.lookup(i);
  return 0;
}
