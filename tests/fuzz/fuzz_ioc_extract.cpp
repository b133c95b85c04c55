// Fuzzes IOC candidate extraction over arbitrary event bodies in the three modes (body, squid and
// combined fields; byte 0 picks the mode) and classification of every token: no crash, and every
// candidate classifies again to itself (normalisation is idempotent).
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
  }
  refang(body);
  classify(body);
  return 0;
}
