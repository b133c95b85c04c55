// Fuzzes IOC candidate extraction over arbitrary event bodies in the three modes (body, squid and
// combined fields; byte 0 picks the mode) and classification of every token: no crash, every
// candidate classifies again to itself (normalisation is idempotent), every mode finds exactly
// what its reference finds (extract_reference(): no shape scan, and each token classified by the
// plain scalar code, not the SSE2 and shortcut paths), classify_view() agrees with classify(), a
// domain's counted labels are right, and domain_view()'s shortcut for plain bytes agrees with its
// full check.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "interceptors/ioc/extract.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::ioc;
  if (size < 1) return 0;
  Mode mode = static_cast<Mode>(data[0] % 3);
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  Candidates c;
  extract(body, mode, c);
  for (const auto& i : c.items) {
    auto again = classify(i.value, i.type);
    if (!again || again->value != i.value) __builtin_trap();
    size_t dots = 0;  // a label count the extractor gives is the name's
    for (char ch : i.value) dots += ch == '.';
    if (i.labels != 0 && (i.type != Type::Domain || i.labels != dots + 1)) __builtin_trap();
  }
  Candidates every;
  extract_reference(body, mode, every);
  if (every.items.size() != c.items.size() || every.source_key != c.source_key) __builtin_trap();
  for (size_t k = 0; k < c.items.size(); ++k)
    if (every.items[k].type != c.items[k].type || every.items[k].value != c.items[k].value) __builtin_trap();
  for (Type hint : {Type::Ipv4, Type::Domain, Type::Url, Type::Md5}) {
    QuickClass q = classify_view(body, hint);
    if (q.kind == QuickClass::Normal) {
      auto full = classify(body, hint);
      if (!full || full->type != q.type || full->value != q.value) __builtin_trap();
    } else if (q.kind == QuickClass::NotIt && classify(body, hint)) {
      __builtin_trap();
    }
  }
  // domain_view()'s shortcut for bytes known to be [a-z0-9._-] answers as the full check.
  bool plain = true;
  for (char ch : body) plain &= (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_';
  if (plain && !body.empty() && !defanged_scheme(body)) {
    QuickClass a = domain_view(body, true), b = classify_view(body, Type::Domain, true);
    if (a.kind != b.kind || (a.kind == QuickClass::Normal && a.value != b.value)) __builtin_trap();
  }
  refang(body);
  classify(body);
  return 0;
}
