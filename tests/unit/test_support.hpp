// Helpers shared by unit tests: Contexts from key/value maps, and a scriptable sink.
#pragma once
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>

#include "agent/channel_processor.hpp"
#include "agent/context.hpp"
#include "agent/sink.hpp"

namespace sluice::test {

inline Context make_context(const std::map<std::string, std::string>& kv, Diagnostics* d = nullptr,
                            const std::string& label = "component c", const std::string& prefix = "a1.x.c.") {
  Context::Values v;
  int line = 1;
  for (auto& [k, val] : kv) v[k] = {val, {"test.conf", ++line}};
  return Context(label, prefix, v, d, {"test.conf", 1});
}

// A fresh directory under /tmp, removed with everything in it at the end of the test.
struct TempDir {
  std::filesystem::path p;
  TempDir() {
    char t[] = "/tmp/sluice-unit.XXXXXX";
    p = mkdtemp(t);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(p, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Writes a file named `name` in the directory; returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(p / name) << text;
    return (p / name).string();
  }
};

// A socket connected to 127.0.0.1:port (-1 on failure).
inline int dial_loopback(int port, int type = SOCK_STREAM) {
  int fd = ::socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A processor that puts everything into one channel (no interceptors).
inline std::shared_ptr<ChannelProcessor> processor_to(Channel* ch) {
  auto sel = make_channel_selector(make_context({}), {ch}, [ch](const std::string&) { return ch; });
  return std::make_shared<ChannelProcessor>("r1", std::move(sel), std::vector<std::unique_ptr<Interceptor>>{});
}

// Takes and commits everything the channel holds (in transactions of up to `per_tx` events).
inline std::vector<Event> drain_events(Channel& ch, size_t per_tx = 100) {
  std::vector<Event> out;
  while (true) {
    auto tx = ch.begin();
    if (tx->take(per_tx, false) == 0) break;
    out.insert(out.end(), tx->taken().begin(), tx->taken().end());
    tx->commit();
  }
  return out;
}

// A sink that records what it delivered and can be told to fail.
class RecordingSink : public BatchSink {
 public:
  explicit RecordingSink(std::string name, size_t batch = 100) : BatchSink(std::move(name), batch) {}
  std::atomic<bool> fail{false};
  std::atomic<int> attempts{0};  // deliver() calls, failed or not
  std::vector<std::string> bodies() {
    std::lock_guard l(mu_);
    return bodies_;
  }

 protected:
  void deliver(const Batch& batch) override {
    ++attempts;
    if (fail) throw std::runtime_error("injected failure in " + name_);
    std::lock_guard l(mu_);
    for (const auto& e : batch) bodies_.push_back(e.body);
  }

 private:
  std::mutex mu_;
  std::vector<std::string> bodies_;
};

}  // namespace sluice::test
