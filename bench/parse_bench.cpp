// parse interceptor throughput on one core, in lines/s (items_per_second): the format parser
// alone (fields as views, no headers), and the whole interceptor on batches of 1000 events with
// fields as headers (output=headers) or the body rewritten as JSON (output=json), schema checked.
// Run: build/bench/parse_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>

#include "interceptors/parse/format_factory.hpp"
#include "interceptors/parse_interceptor.hpp"

namespace sluice {
namespace {

Context ctx(std::map<std::string, std::string> kv) {
  Context::Values v;
  for (auto& [k, val] : kv) v[k] = {val, {}};
  return Context("bench", "", v, nullptr, {});
}

std::vector<std::string> corpus(const std::string& format, size_t n = 10000) {
  std::mt19937_64 r(7);
  std::vector<std::string> out;
  char buf[600];
  for (size_t i = 0; i < n; ++i) {
    int a = (int)(r() % 256), b = (int)(r() % 254 + 1), bytes = (int)(r() % 2000000), el = (int)(r() % 90000);
    unsigned long long id = r();
    if (format == "squid")
      std::snprintf(
          buf, sizeof buf,
          "1763856%03zu.123 %6d 10.1.%d.%d TCP_MISS/200 %d GET "
          "http://www.site%d.example.org/path/%zu/index.html?id=%llx&ref=news - HIER_DIRECT/93.184.%d.%d text/html",
          i % 1000, el, a, b, bytes, (int)(r() % 5000), i, id, a, b);
    else if (format == "combined")
      std::snprintf(buf, sizeof buf,
                    "10.1.%d.%d - - [22/Nov/2025:10:%02d:%02d +0000] \"GET /path/%zu/index.html?id=%llx HTTP/1.1\" 200 "
                    "%d \"https://www.example.org/start\" \"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 "
                    "Firefox/120.0\"",
                    a, b, (int)(i % 60), (int)(r() % 60), i, id, bytes);
    else if (format == "json")
      std::snprintf(buf, sizeof buf,
                    "{\"ts\":\"2025-11-22T10:00:%02d.123Z\",\"client\":\"10.1.%d.%d\",\"method\":\"GET\",\"url\":"
                    "\"http://www.example.org/path/"
                    "%zu?id=%llx\",\"status\":200,\"bytes\":%d,\"tls\":{\"version\":\"1.3\",\"sni\":\"www.example."
                    "org\"},\"tags\":[\"a\",\"b\"]}",
                    (int)(i % 60), a, b, i, id, bytes);
    else  // kv
      std::snprintf(buf, sizeof buf,
                    "date=2025-11-22 time=10:00:%02d devname=\"fw-01\" srcip=10.1.%d.%d dstip=93.184.%d.%d "
                    "action=accept service=HTTPS sentbyte=%d msg=\"session \\\"closed\\\" normally\" policyid=%zu",
                    (int)(i % 60), a, b, a, b, bytes, i % 100);
    out.emplace_back(buf);
  }
  return out;
}

std::map<std::string, std::string> keys(const std::string& format) {
  std::map<std::string, std::string> kv{{"format", format}};
  if (format == "squid" || format == "combined") {
    kv["schema.required"] = "client status url";
    kv["schema.types.status"] = "int";
    kv["schema.types.client"] = "ip";
  } else if (format == "json") {
    kv["schema.required"] = "client status url";
    kv["schema.types.status"] = "int";
  } else {
    kv["schema.required"] = "srcip action";
    kv["schema.types.srcip"] = "ip";
  }
  return kv;
}

void BM_Parser(benchmark::State& state, std::string format) {
  auto lines = corpus(format);
  auto c = ctx(keys(format));
  std::string name;
  auto make = parse::make_parser_maker(c, {}, name);
  auto parser = make();
  parse::Fields f;
  std::string err;
  size_t i = 0, fields = 0;
  for (auto _ : state) {
    f.clear();
    if (!parser->parse(lines[i], f, err)) state.SkipWithError(err.c_str());
    fields += f.size();
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["fields/line"] = static_cast<double>(fields) / static_cast<double>(state.iterations());
}

void BM_Interceptor(benchmark::State& state, std::string format, std::string output) {
  auto lines = corpus(format);
  auto kv = keys(format);
  kv["output"] = output;
  auto c = ctx(kv);
  ParseInterceptor p("p", c);
  Batch batch;
  size_t next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    batch.clear();
    for (size_t k = 0; k < 1000; ++k, next = (next + 1) % lines.size()) batch.emplace_back(lines[next]);
    state.ResumeTiming();
    p.intercept(batch);
    benchmark::DoNotOptimize(batch.data());
  }
  for (const auto& [k, v] : p.metrics()->snapshot())
    if (k == "EventsParsed" && v == "0") state.SkipWithError("nothing parsed");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 1000);
}

}  // namespace
}  // namespace sluice

using sluice::BM_Interceptor;
using sluice::BM_Parser;
BENCHMARK_CAPTURE(BM_Parser, squid, std::string("squid"));
BENCHMARK_CAPTURE(BM_Parser, combined, std::string("combined"));
BENCHMARK_CAPTURE(BM_Parser, json, std::string("json"));
BENCHMARK_CAPTURE(BM_Parser, kv, std::string("kv"));
BENCHMARK_CAPTURE(BM_Interceptor, squid_headers, std::string("squid"), std::string("headers"));
BENCHMARK_CAPTURE(BM_Interceptor, squid_json, std::string("squid"), std::string("json"));
BENCHMARK_CAPTURE(BM_Interceptor, combined_headers, std::string("combined"), std::string("headers"));
BENCHMARK_CAPTURE(BM_Interceptor, combined_json, std::string("combined"), std::string("json"));
BENCHMARK_CAPTURE(BM_Interceptor, json_headers, std::string("json"), std::string("headers"));
BENCHMARK_CAPTURE(BM_Interceptor, kv_headers, std::string("kv"), std::string("headers"));
BENCHMARK_MAIN();
