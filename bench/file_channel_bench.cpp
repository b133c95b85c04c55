// File channel throughput against the memory channel: N putter threads commit batches of 1000
// 300-byte events (the file channel fsyncs every commit, shared by concurrent committers) while N taker
// threads take and commit batches of 1000. One iteration moves 100k events through. Reports events/s
// and, for the file channel, fsyncs per commit. The log goes to a temp directory under $TMPDIR (/tmp).
// Run: build/bench/file_channel_bench --benchmark_min_time=3
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "channels/file_channel.hpp"
#include "channels/memory_channel.hpp"

namespace sluice {
namespace {

constexpr size_t kBatch = 1000, kBodyBytes = 300, kPerIteration = 100 * kBatch;

Context ctx(std::map<std::string, std::string> kv) {
  Context::Values v;
  for (auto& [k, val] : kv) v[k] = {val, {}};
  return Context("bench", "", v, nullptr, {});
}

std::map<std::string, std::string> channel_keys() {
  return {{"capacity", "200000"}, {"transactionCapacity", std::to_string(kBatch)}, {"keep-alive", "1"}};
}

// Moves `total` events through ch with `threads` putters and as many takers.
void move_events(Channel& ch, int threads, size_t total) {
  std::atomic<size_t> to_put{total / kBatch}, taken{0};
  std::atomic<int> takers{threads};
  const std::string body(kBodyBytes, 'x');
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&] {
      while (true) {
        size_t left = to_put.load();
        if (left == 0) return;
        if (!to_put.compare_exchange_weak(left, left - 1)) continue;
        while (true) {
          auto tx = ch.begin();
          for (size_t i = 0; i < kBatch; ++i) tx->put(Event(body));
          try {
            tx->commit();
            break;
          } catch (const ChannelException&) {
            tx->rollback();  // full: the takers are behind
          }
        }
      }
    });
    ts.emplace_back([&] {
      while (taken.load() < total) {
        auto tx = ch.begin();
        size_t n = tx->take(kBatch, true);
        tx->commit();
        taken += n;
      }
      --takers;
    });
  }
  // Takers still waiting in take() for events that will not come are woken (not kept for keep-alive).
  while (takers.load() > 0) {
    if (taken.load() >= total) ch.wake();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  for (auto& t : ts) t.join();
}

struct TempDir {
  std::filesystem::path p;
  TempDir() {
    std::string t = std::filesystem::temp_directory_path().string() + "/sluice-bench.XXXXXX";
    p = mkdtemp(t.data());
  }
  ~TempDir() { std::filesystem::remove_all(p); }
};

void report(benchmark::State& state, int64_t events) {
  state.SetItemsProcessed(events);
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

void BM_FileChannel(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  TempDir dir;
  auto kv = channel_keys();
  kv["checkpointDir"] = (dir.p / "cp").string();
  kv["dataDirs"] = (dir.p / "data").string();
  kv["maxFileSize"] = std::to_string(64 << 20);  // consumed files get deleted during the run
  auto c = ctx(kv);
  FileChannel ch("c1", c);
  ch.start();
  int64_t events = 0;
  for (auto _ : state) {
    move_events(ch, threads, kPerIteration);
    events += static_cast<int64_t>(kPerIteration);
  }
  int64_t fsyncs = 0;
  for (auto& [k, v] : ch.metrics()->snapshot())
    if (k == "FsyncCount") fsyncs = std::stoll(v);
  ch.stop();
  report(state, events);
  // Two commits (a put and a take) per 1000 events.
  state.counters["fsyncs_per_commit"] = static_cast<double>(fsyncs) / (2.0 * static_cast<double>(events) / kBatch);
}
BENCHMARK(BM_FileChannel)->Arg(1)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_MemoryChannel(benchmark::State& state) {
  auto c = ctx(channel_keys());
  MemoryChannel ch("c1", c);
  ch.start();
  int64_t events = 0;
  for (auto _ : state) {
    move_events(ch, static_cast<int>(state.range(0)), kPerIteration);
    events += static_cast<int64_t>(kPerIteration);
  }
  ch.stop();
  report(state, events);
}
BENCHMARK(BM_MemoryChannel)->Arg(1)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
