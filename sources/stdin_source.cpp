#include "sources/stdin_source.hpp"

#include <poll.h>
#include <unistd.h>

namespace sluice {

StdinSource::StdinSource(const std::string& name, Context& ctx) : Source(name) {
  batch_size_ = static_cast<size_t>(ctx.get_int("batchSize", 100, "lines per channel transaction", 1));
  batch_timeout_ms_ = ctx.get_int("batchTimeout", 1000, "ms before a partial batch is sent", 1);
}

StdinSource::~StdinSource() { stop(); }

void StdinSource::start() {
  stop_ = false;
  counters_.group->mark_start();
  thread_ = std::thread([this] { run(); });
}

void StdinSource::stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
  counters_.group->mark_stop();
}

bool StdinSource::send(Batch& batch) {
  size_t n = batch.size();
  counters_.events_received.inc(static_cast<int64_t>(n));
  while (!stop_) {
    try {
      processor().process_keeping(batch);  // a refused batch comes back in batch
      counters_.events_accepted.inc(static_cast<int64_t>(n));
      return true;
    } catch (const ChannelException&) {
      counters_.channel_write_fail.inc();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return false;
}

void StdinSource::run() {
  std::string buf;
  Batch batch;
  char chunk[65536];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(batch_timeout_ms_);
  bool eof = false;
  while (!stop_ && !eof) {
    pollfd p{fd_, POLLIN, 0};
    int pr = ::poll(&p, 1, 50);
    if (pr > 0) {
      ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n <= 0) {
        eof = true;
        if (!buf.empty()) batch.emplace_back(std::move(buf));  // last line without newline
      } else {
        buf.append(chunk, static_cast<size_t>(n));
        size_t start = 0;
        for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
          batch.emplace_back(buf.substr(start, nl - start));
          if (batch.size() >= batch_size_ && !send(batch)) return;
        }
        buf.erase(0, start);
      }
    }
    if (!batch.empty() && (eof || std::chrono::steady_clock::now() >= deadline)) {
      if (!send(batch)) return;
    }
    if (batch.empty()) deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(batch_timeout_ms_);
  }
  if (eof) SLUICE_LOG(Info, name_) << "end of standard input";
}

}  // namespace sluice
