// The running agent: loads and validates the configuration, starts the pipeline and the metrics
// endpoint, and then waits for signals. SIGTERM/SIGINT: stop sources, let sinks drain (bounded),
// exit 0. SIGHUP or a changed file: reload — the new configuration is validated first; if it is
// valid the pipeline is rebuilt against the running one (unchanged parts keep running, unchanged
// channels keep their events); if not, the running pipeline stays and the errors are logged.
#pragma once
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "agent/diagnostics.hpp"

#include "agent/metrics.hpp"
#include "agent/pipeline.hpp"

namespace sluice {

struct AgentOptions {
  std::string name;
  std::string config_file;
  bool strict = false;
  bool reload = true;
  std::chrono::milliseconds reload_interval{5000};
  std::chrono::milliseconds drain_timeout{10000};
  int metrics_port = -1;  // -1: no metrics endpoint
  std::string metrics_bind = "127.0.0.1";
  // -Dflume.monitoring.<key>=<value> other than type/port/host: the TLS keys of agent/tls.hpp
  // (ssl, keystore, ssl-certificate, ssl-client-auth, ...), for an HTTPS endpoint.
  std::map<std::string, std::string> metrics_tls;
};

// The metrics endpoint's TLS context from opts.metrics_tls: nullptr for plain HTTP; problems are
// reported to diag with the -D property that caused them.
std::shared_ptr<boost::asio::ssl::context> metrics_tls_context(const AgentOptions& opts, Diagnostics& diag);

// Loads, validates and builds; prints diagnostics to stderr. nullptr on errors.
std::unique_ptr<Pipeline> load_pipeline(const std::string& file, const std::string& agent, bool strict,
                                        Pipeline* running, std::string* error_text = nullptr);

// Blocks until SIGTERM/SIGINT. Returns the process exit code.
int run_agent(const AgentOptions& opts);

}  // namespace sluice
