#include "agent/source.hpp"

#include <chrono>

#include "agent/log.hpp"

namespace sluice {

PollableSource::PollableSource(std::string name, Context& ctx) : Source(std::move(name)) {
  backoff_increment_ms_ = ctx.get_int("backoffSleepIncrement", 1000, "ms added to the sleep after each empty poll", 1);
  max_backoff_ms_ = ctx.get_int("maxBackoffSleep", 5000, "longest sleep between empty polls, ms", 1);
}

PollableSource::~PollableSource() { stop(); }

void PollableSource::start() {
  stop_ = false;
  counters_.group->mark_start();
  on_start();
  thread_ = std::thread([this] { run(); });
}

void PollableSource::stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
  on_stop();
  counters_.group->mark_stop();
}

void PollableSource::run() {
  int64_t backoff_ms = 0;
  RateLimit fail_log;
  while (!stop_) {
    Status s = Status::Backoff;
    try {
      s = process();
    } catch (const ChannelException& e) {
      counters_.channel_write_fail.inc();
      if (fail_log.allow()) SLUICE_LOG(Warn, name_) << "channel refused batch (backpressure): " << e.what();
    } catch (const std::exception& e) {
      counters_.generic_processing_fail.inc();
      if (fail_log.allow()) SLUICE_LOG(Error, name_) << "process failed: " << e.what();
    }
    if (s == Status::Ready) {
      backoff_ms = 0;
      continue;
    }
    backoff_ms = std::min(backoff_ms + backoff_increment_ms_, max_backoff_ms_);
    // Sleep in small steps so stop() is prompt.
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(backoff_ms);
    while (!stop_ && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(backoff_ms, 20)));
  }
}

}  // namespace sluice
