#include "agent/runtime.hpp"

#include "agent/tls.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <thread>

#include "agent/log.hpp"
#include "agent/metrics_server.hpp"
#include "agent/tls.hpp"
#include "agent/yaml_config.hpp"

namespace sluice {
namespace {

struct FileStamp {
  int64_t mtime_ns = 0;
  off_t size = -1;
  bool operator==(const FileStamp&) const = default;
};

FileStamp stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, st.st_size};
}

}  // namespace

std::unique_ptr<Pipeline> load_pipeline(const std::string& file, const std::string& agent, bool strict,
                                        Pipeline* running, std::string* error_text) {
  Diagnostics diag;
  std::vector<ConfigEntry> entries;
  std::unique_ptr<Pipeline> p;
  if (load_config_file(file, entries, diag)) {
    AgentConfig cfg = resolve_agent(entries, agent, file, diag);
    p = Pipeline::build(cfg, diag, strict, running);  // also when the structure has errors: report all at once
    if (diag.has_errors()) p.reset();
  }
  std::string text = diag.format();
  if (!text.empty()) std::fputs(text.c_str(), stderr);
  if (!p) {
    std::fprintf(stderr, "%s: %zu error%s; the agent does not start with this configuration\n", file.c_str(),
                 diag.error_count(), diag.error_count() == 1 ? "" : "s");
  }
  if (error_text) *error_text = text;
  return p;
}

std::shared_ptr<boost::asio::ssl::context> metrics_tls_context(const AgentOptions& opts, Diagnostics& diag) {
  if (opts.metrics_tls.empty()) return nullptr;
  Context::Values values;
  for (const auto& [k, v] : opts.metrics_tls) values[k] = ConfigValue{v, Location{"command line", 0}};
  Context ctx("metrics endpoint", "-Dflume.monitoring.", std::move(values), &diag, Location{"command line", 0});
  auto tls = tls::server_context(ctx);
  ctx.report_unread_keys();
  if (!tls && !diag.has_errors() && !ctx.get_bool("ssl", false))
    ctx.warning("ssl", "TLS keys are set for the metrics endpoint but ssl is not true: serving plain HTTP");
  return tls;
}

int run_agent(const AgentOptions& opts) {
  // Signals are taken synchronously by this thread only; block them before any thread starts.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  FileStamp last = stamp(opts.config_file);
  auto pipeline = load_pipeline(opts.config_file, opts.name, opts.strict, nullptr);
  if (!pipeline) return 1;

  MetricsRegistry metrics;
  std::unique_ptr<MetricsServer> server;
  try {
    if (opts.metrics_port >= 0) {
      Diagnostics diag;
      auto tls = metrics_tls_context(opts, diag);
      if (diag.has_errors()) {
        std::fputs(diag.format().c_str(), stderr);
        pipeline->stop(std::chrono::milliseconds(0));
        return 1;
      }
      server = std::make_unique<MetricsServer>(metrics, opts.metrics_bind, opts.metrics_port, tls);
      server->start();
    }
    pipeline->start(metrics);
  } catch (const std::exception& e) {
    SLUICE_LOG(Error, "agent") << e.what();
    pipeline->stop(std::chrono::milliseconds(0));
    return 1;
  }
  SLUICE_LOG(Info, "agent") << "agent " << opts.name << " started from " << opts.config_file;

  auto next_check = std::chrono::steady_clock::now() + opts.reload_interval;
  while (true) {
    timespec tick{0, 200 * 1000 * 1000};
    int sig = sigtimedwait(&set, nullptr, &tick);
    bool reload = false, hup = sig == SIGHUP;
    if (sig == SIGTERM || sig == SIGINT) {
      SLUICE_LOG(Info, "agent") << "received " << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
                                << ": stopping sources, draining sinks";
      break;
    }
    if (sig == SIGHUP) {
      SLUICE_LOG(Info, "agent") << "received SIGHUP: reloading " << opts.config_file;
      reload = true;
    } else if (opts.reload && std::chrono::steady_clock::now() >= next_check) {
      next_check = std::chrono::steady_clock::now() + opts.reload_interval;
      FileStamp now = stamp(opts.config_file);
      if (!(now == last) && now.size >= 0) {
        SLUICE_LOG(Info, "agent") << opts.config_file << " changed: reloading";
        reload = true;
      }
    }
    if (!reload) continue;
    last = stamp(opts.config_file);
    auto next = load_pipeline(opts.config_file, opts.name, opts.strict, pipeline.get());
    if (!next) {
      SLUICE_LOG(Error, "agent") << "new configuration is invalid; the running pipeline stays as it was";
      if (hup) pipeline->refresh_interceptors(*pipeline);  // SIGHUP still re-reads feeds and lists
      continue;
    }
    next->retire(*pipeline, metrics);
    try {
      next->start(metrics);
    } catch (const std::exception& e) {
      SLUICE_LOG(Error, "agent") << "reload: " << e.what();
    }
    if (hup) next->refresh_interceptors(*pipeline);
    pipeline = std::move(next);
    SLUICE_LOG(Info, "agent") << "configuration reloaded";
  }
  pipeline->stop(opts.drain_timeout);
  if (server) server->stop();
  SLUICE_LOG(Info, "agent") << "agent " << opts.name << " stopped";
  return 0;
}

}  // namespace sluice
