#include "sources/exec_source.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstring>
#include <sstream>

extern char** environ;

namespace sluice {

ExecSource::ExecSource(const std::string& name, Context& ctx) : Source(name) {
  std::string command = ctx.require_string("command", "the command whose output lines become events");
  std::string shell = ctx.get_string("shell", "", "shell to run the command with, e.g. /bin/sh -c");
  restart_ = ctx.get_bool("restart", false, "run the command again when it ends");
  throttle_ms_ = ctx.get_int("restartThrottle", 10000, "ms to wait before a restart", 0);
  log_stderr_ = ctx.get_bool("logStdErr", false, "log the command's standard error");
  batch_size_ = static_cast<size_t>(ctx.get_int("batchSize", 20, "lines per channel transaction", 1));
  batch_timeout_ms_ = ctx.get_int("batchTimeout", 3000, "ms before a partial batch is sent", 1);
  ctx.get_string("charset", "UTF-8", "charset of the output (bytes are passed through)");
  std::istringstream in(shell);
  for (std::string w; in >> w;) argv_.push_back(w);
  if (shell.empty()) {
    std::istringstream c(command);
    for (std::string w; c >> w;) argv_.push_back(w);
  } else {
    argv_.push_back(command);
  }
}

ExecSource::~ExecSource() { stop(); }

void ExecSource::start() {
  stop_ = false;
  counters_.group->mark_start();
  thread_ = std::thread([this] { run(); });
}

void ExecSource::stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  if (int pid = child_.load(); pid > 0) ::kill(pid, SIGTERM);
  thread_.join();
  counters_.group->mark_stop();
}

bool ExecSource::deliver(Batch& batch) {
  if (batch.empty()) return true;
  size_t n = batch.size();
  counters_.events_received.inc(static_cast<int64_t>(n));
  RateLimit warn;
  while (!stop_) {
    try {
      processor().process_keeping(batch);  // a refused batch comes back in batch
      counters_.events_accepted.inc(static_cast<int64_t>(n));
      return true;
    } catch (const ChannelException& e) {
      counters_.channel_write_fail.inc();
      if (warn.allow()) SLUICE_LOG(Warn, name_) << "channel full, holding the command's output: " << e.what();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return false;
}

int ExecSource::run_once() {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  std::vector<char*> args;
  for (auto& a : argv_) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    SLUICE_LOG(Error, name_) << "cannot run '" << argv_[0] << "': " << std::strerror(rc);
    ::close(out[0]);
    ::close(err[0]);
    return -1;
  }
  child_ = pid;
  SLUICE_LOG(Info, name_) << "started command (pid " << pid << ")";
  std::string buf, ebuf;
  Batch batch;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(batch_timeout_ms_);
  bool out_open = true, err_open = true;
  char chunk[65536];
  while (out_open || err_open) {
    pollfd p[2] = {{out_open ? out[0] : -1, POLLIN, 0}, {err_open ? err[0] : -1, POLLIN, 0}};
    ::poll(p, 2, 50);
    if (out_open && (p[0].revents & (POLLIN | POLLHUP))) {
      ssize_t n = ::read(out[0], chunk, sizeof chunk);
      if (n <= 0) {
        out_open = false;
        if (!buf.empty()) batch.emplace_back(std::move(buf));
      } else {
        buf.append(chunk, static_cast<size_t>(n));
        size_t start = 0;
        for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
          batch.emplace_back(buf.substr(start, nl - start));
          if (batch.size() >= batch_size_ && !deliver(batch)) break;
        }
        buf.erase(0, start);
      }
    }
    if (err_open && (p[1].revents & (POLLIN | POLLHUP))) {
      ssize_t n = ::read(err[0], chunk, sizeof chunk);
      if (n <= 0) {
        err_open = false;
      } else if (log_stderr_) {
        ebuf.append(chunk, static_cast<size_t>(n));
        size_t start = 0;
        for (size_t nl; (nl = ebuf.find('\n', start)) != std::string::npos; start = nl + 1)
          SLUICE_LOG(Info, name_) << "stderr: " << ebuf.substr(start, nl - start);
        ebuf.erase(0, start);
      }
    }
    if (!batch.empty() && std::chrono::steady_clock::now() >= deadline) deliver(batch);
    if (batch.empty()) deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(batch_timeout_ms_);
    if (stop_) break;
  }
  deliver(batch);
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  child_ = -1;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  SLUICE_LOG(Info, name_) << "command ended with status " << code;
  return code;
}

void ExecSource::run() {
  while (!stop_) {
    run_once();
    if (!restart_ || stop_) break;
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(throttle_ms_);
    while (!stop_ && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace sluice
