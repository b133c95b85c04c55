// IOC sweeper numbers: load 1 M mixed indicators (time, RSS growth) and sweep realistic Squid lines
// with them loaded (MB/s on one core, body mode and squid field mode). Rates are given per CPU-second
// of the sweeping thread (robust when other work shares the cores) and per wall-second.
// Run: build/bench/ioc_bench [indicators] [lines] [modes, default body,squid] [corpus file]
// With a corpus file (one event body per line, e.g. from bench/corpus.py, as the pipeline bench
// sends) its first `lines` lines are swept instead of the generated Squid lines. IOC_BENCH_FEED=path
// loads that feed file instead of the generated mixed one (`indicators` is then ignored).
// IOC_BENCH_RUNS=n sweeps each mode n times and prints the median and best run as well.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "interceptors/ioc_sweeper.hpp"

using namespace sluice;

static long rss_kb() {
  std::ifstream s("/proc/self/status");
  std::string k;
  long v = 0;
  while (s >> k) {
    if (k == "VmRSS:") {
      s >> v;
      break;
    }
  }
  return v;
}

static double thread_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

static long peak_rss_kb() {
  std::ifstream s("/proc/self/status");
  std::string k;
  long v = 0;
  while (s >> k) {
    if (k == "VmHWM:") {
      s >> v;
      break;
    }
  }
  return v;
}

int main(int argc, char** argv) {
  size_t n = argc > 1 ? std::stoul(argv[1]) : 1000000;
  size_t lines = argc > 2 ? std::stoul(argv[2]) : 500000;
  std::string modes = argc > 3 ? argv[3] : "body,squid";
  std::string corpus_file = argc > 4 ? argv[4] : "";
  std::mt19937_64 r(42);
  const char* given_feed = std::getenv("IOC_BENCH_FEED");
  std::string feed = given_feed ? given_feed : "/tmp/sluice-ioc-bench-feed.txt";
  if (!given_feed) {
    std::ofstream f(feed);
    for (size_t i = 0; i < n; ++i) {
      switch (i % 4) {
        case 0: f << "bad" << i << ".example" << (i % 7) << ".com\n"; break;
        case 1: f << (11 + i % 200) << "." << (i >> 16 & 255) << "." << (i >> 8 & 255) << "." << (i & 255) << "\n"; break;
        case 2: { char h[65]; std::snprintf(h, sizeof h, "%016llx%016llx", (unsigned long long)r(), (unsigned long long)r()); f << h << "\n"; break; }
        case 3: f << "http://host" << i << ".example.net/p/" << i << "\n"; break;
      }
    }
  }
  Context::Values v;
  v["feeds"] = {"f", {}};
  v["feeds.f.path"] = {feed, {}};
  v["reloadInterval"] = {"0", {}};
  v["mode"] = {"body", {}};
  Context ctx("bench", "", v, nullptr, {});
  IocSweeper body("ioc", ctx);
  long before = rss_kb();
  auto t0 = std::chrono::steady_clock::now();
  double c0 = thread_cpu_s();
  body.start();
  double load_cpu = thread_cpu_s() - c0;
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  long after = rss_kb();
  std::printf("loaded %zu indicators in %.2f s (%.2f CPU-s), RSS +%ld MB\n", body.indicators(), load_s, load_cpu,
              (after - before) / 1024);

  std::vector<std::string> corpus;
  size_t bytes = 0;
  std::ifstream given(corpus_file);
  for (std::string line; !corpus_file.empty() && corpus.size() < lines && std::getline(given, line);) {
    bytes += line.size();
    corpus.push_back(std::move(line));
  }
  lines = corpus_file.empty() ? lines : corpus.size();
  for (size_t i = 0; corpus_file.empty() && i < lines; ++i) {
    char buf[400];
    std::snprintf(buf, sizeof buf,
                  "1763856%06zu.123 %6d 10.%d.%d.%d TCP_MISS/200 %d GET http://www.site%d.example.org/path/%zu/index.html?id=%llx&ref=news - HIER_DIRECT/93.184.%d.%d text/html",
                  i, (int)(r() % 90000), (int)(r() % 256), (int)(r() % 256), (int)(r() % 254 + 1), (int)(r() % 2000000),
                  (int)(r() % 5000), i, (unsigned long long)r(), (int)(r() % 256), (int)(r() % 254 + 1));
    corpus.emplace_back(buf);
    bytes += corpus.back().size();
  }
  for (const char* mode : {"body", "squid"}) {
    if (modes.find(mode) == std::string::npos) continue;
    v["mode"] = {mode, {}};
    Context c2("bench", "", v, nullptr, {});
    IocSweeper s("ioc", c2);
    s.start();
    // Batches are built outside the timed part: the copy of the bodies is not the sweeper's cost.
    // IOC_BENCH_RUNS=n sweeps n times (fresh batches each time) and gives the best and the median
    // run: on shared cores a single run's CPU time varies by 10-20 %.
    const char* runs_env = std::getenv("IOC_BENCH_RUNS");
    int runs = runs_env ? std::max(1, std::atoi(runs_env)) : 1;
    std::vector<double> cpus;
    double secs = 0;
    size_t hits = 0;
    for (int run = 0; run < runs; ++run) {
      std::vector<Batch> batches;
      for (size_t i = 0; i < corpus.size(); i += 1000) {
        Batch b;
        for (size_t j = i; j < std::min(corpus.size(), i + 1000); ++j) b.emplace_back(corpus[j]);
        batches.push_back(std::move(b));
      }
      if (run == 0) std::fprintf(stderr, "sweeping, mode %s\n", mode);  // a profiler can attach now (perf record -p)
      auto t1 = std::chrono::steady_clock::now();
      double c1 = thread_cpu_s();
      for (auto& b : batches) s.intercept(b);
      cpus.push_back(thread_cpu_s() - c1);
      secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
      hits = 0;
      for (auto& b : batches)
        for (auto& e : b) hits += e.headers.contains("ioc.match");
    }
    std::vector<double> sorted = cpus;
    std::sort(sorted.begin(), sorted.end());
    double cpu = sorted[sorted.size() / 2];
    std::printf("mode %-5s: %zu lines (%.0f MB), %zu with hits: %.2f CPU-s = %.0f MB/s per core (%.0f k lines/s); "
                "wall %.2f s = %.0f MB/s\n",
                mode, lines, bytes / 1e6, hits, cpu, bytes / 1e6 / cpu, lines / cpu / 1e3, secs, bytes / 1e6 / secs);
    if (runs > 1)
      std::printf("  %d runs: median %.0f MB/s, best %.0f MB/s per core (the line above: the median run; wall: the last)\n", runs,
                  bytes / 1e6 / cpu, bytes / 1e6 / sorted.front());
    s.stop();
  }
  std::printf("RSS %ld MB now, peak %ld MB (the load sweeper and one sweeper per mode, each with the feed loaded)\n", rss_kb() / 1024,
              peak_rss_kb() / 1024);
  if (!given_feed) std::remove(feed.c_str());
  return 0;
}
