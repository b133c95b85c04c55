// Core pipeline throughput: a producer thread puts batches of 100-byte events through a
// ChannelProcessor into a MemoryChannel while the sink runner drains them into a NullSink, batch
// 1000 on both sides (the seq -> memory -> null). Reports events/s.
// Run: build/bench/pipeline_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <atomic>
#include <thread>

#include "agent/channel_processor.hpp"
#include "agent/sink_processor.hpp"
#include "channels/memory_channel.hpp"
#include "sinks/null_sink.hpp"

namespace sluice {
namespace {

Context ctx(std::map<std::string, std::string> kv) {
  Context::Values v;
  for (auto& [k, val] : kv) v[k] = {val, {}};
  return Context("bench", "", v, nullptr, {});
}

void BM_SeqMemoryNull(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  auto cctx = ctx({{"capacity", "100000"}, {"transactionCapacity", std::to_string(batch)}});
  MemoryChannel channel("c1", cctx);
  auto sctx = ctx({{"batchSize", std::to_string(batch)}});
  NullSink sink("k1", sctx);
  sink.set_channel(&channel);
  SinkRunner runner("k1", make_default_processor(&sink));
  auto sel = make_channel_selector(ctx({}), {&channel}, [&](const std::string&) { return &channel; });
  ChannelProcessor processor("r1", std::move(sel), {});
  channel.start();
  runner.start();
  const std::string body(100, 'x');
  int64_t events = 0;
  for (auto _ : state) {
    Batch b;
    b.reserve(batch);
    for (size_t i = 0; i < batch; ++i) b.emplace_back(body);
    while (true) {
      try {
        processor.process(std::move(b));
        break;
      } catch (const ChannelException&) {
        // full: the sink is behind; offer a fresh batch again (the moved one is gone)
        b.clear();
        for (size_t i = 0; i < batch; ++i) b.emplace_back(body);
      }
    }
    events += static_cast<int64_t>(batch);
  }
  runner.stop(std::chrono::seconds(30));  // drained: everything put was taken
  channel.stop();
  state.SetItemsProcessed(events);
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SeqMemoryNull)->Arg(100)->Arg(1000)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
