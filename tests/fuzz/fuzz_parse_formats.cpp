// Fuzzes the parse interceptor end to end (format parser, schema check, header and JSON output).
// Byte 0 picks the format (squid, combined, json, kv, csv, bind, syslog, regex) and, in its high
// bits, the output mode and invalid-UTF-8 policy; the rest is the event body. An event is never
// dropped, and it ends with parse.status ok or error.
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "interceptors/parse_interceptor.hpp"

namespace {

std::unique_ptr<sluice::ParseInterceptor> make(unsigned selector) {
  static const char* const kFormats[] = {"squid", "combined", "json", "kv", "csv", "bind", "syslog", "regex"};
  static const char* const kOutputs[] = {"headers", "json", "both", "both"};
  std::map<std::string, std::string> kv = {
      {"format", kFormats[selector % 8]},
      {"output", kOutputs[(selector >> 3) % 4]},
      {"invalidUtf8", (selector >> 5) & 1 ? "error" : "replace"},
      {"headerPrefix", (selector >> 6) & 1 ? "f." : ""},
      {"maxFields", "64"},
      {"csv.columns", "time client status url bytes"},
      {"json.maxDepth", "8"},
      {"regex", R"((?P<client>\S+) (?P<status>\d+) (?P<rest>.*))"},
      {"schema.types.status", "int"},
      {"schema.types.client", "ip"},
      {"schema.types.bytes", "int"},
  };
  sluice::Context::Values values;
  int line = 0;
  for (auto& [k, v] : kv) values[k] = {v, {"fuzz.conf", ++line}};
  sluice::Diagnostics diag;
  sluice::Context ctx("interceptor p", "a1.sources.r1.interceptors.p.", values, &diag, {"fuzz.conf", 0});
  auto p = std::make_unique<sluice::ParseInterceptor>("p", ctx);
  if (diag.has_errors()) __builtin_trap();  // the fuzzer's own configuration must be valid
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static std::array<std::unique_ptr<sluice::ParseInterceptor>, 128> parsers;
  unsigned selector = data[0] & 127;
  if (!parsers[selector]) parsers[selector] = make(selector);
  sluice::Batch batch;
  batch.emplace_back(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  parsers[selector]->intercept(batch);
  if (batch.size() != 1) __builtin_trap();
  const std::string* status = batch[0].headers.find("parse.status");
  if (!status || (*status != "ok" && *status != "error")) __builtin_trap();
  return 0;
}
