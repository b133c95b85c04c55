#include "agent/cli.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "agent/avro/avro_client_cli.hpp"
#include "agent/component_help.hpp"
#include "agent/log.hpp"
#include "agent/runtime.hpp"
#include "agent/version.hpp"
#include "agent/yaml_config.hpp"

namespace sluice {
namespace {

constexpr const char* kUsage =
    "usage: sluice <command> [options]\n"
    "\n"
    "commands:\n"
    "  agent -n NAME -f FILE [options]   run an agent (Flume's `flume-ng agent`)\n"
    "  check-config -f FILE [-n NAME] [--strict]\n"
    "                                    validate a configuration and print the resolved pipeline\n"
    "  avro-client -H HOST -p PORT [-F FILE] [-R HEADERFILE] [--batch-size N]\n"
    "                                    send lines to an Avro source (Flume's `flume-ng avro-client`)\n"
    "  help [source|channel|sink|interceptor [TYPE]]\n"
    "                                    list component types, or the keys of one type\n"
    "  version                           print version, revision and library versions\n"
    "\n"
    "agent options:\n"
    "  -n, --name NAME          agent name (the first part of every key)\n"
    "  -f, --conf-file FILE     Flume properties file, or YAML (.yaml/.yml)\n"
    "  -c, --conf DIR           accepted for flume-ng compatibility (log4j directory; unused)\n"
    "  --metrics-port N         serve GET /metrics (Flume JSON) and /prometheus on N\n"
    "  --metrics-bind ADDR      address for the metrics endpoint (default 127.0.0.1)\n"
    "  --strict                 unknown keys are errors, not warnings\n"
    "  --no-reload-conf         do not reload when the file changes (SIGHUP still reloads)\n"
    "  --reload-interval SEC    how often the file is checked for changes (default 5)\n"
    "  --drain-timeout SEC      how long sinks may drain channels at shutdown (default 10)\n"
    "  --log-level LEVEL        TRACE, DEBUG, INFO (default), WARN, ERROR\n"
    "  -Dflume.monitoring.type=http -Dflume.monitoring.port=N -Dflume.monitoring.host=ADDR\n"
    "  -Dflume.monitoring.ssl=true -Dflume.monitoring.ssl-certificate=F -Dflume.monitoring.ssl-key=F\n"
    "                           HTTPS for the metrics endpoint (any TLS key of the avro source;\n"
    "                           passwords from FLUME_SSL_KEYSTORE_PASSWORD rather than the command line)\n"
    "  -Dflume.root.logger=LEVEL,console   as in flume-ng start scripts\n";

struct Args {
  std::vector<std::string> v;
  size_t i = 0;
  bool more() const { return i < v.size(); }
  const std::string& next() { return v[i++]; }
};

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "sluice: %s\n\n%s", msg.c_str(), kUsage);
  return 2;
}

bool parse_int(const std::string& s, int& out) {
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end || v < 0 || v > 65535 * 1000L) return false;
  out = static_cast<int>(v);
  return true;
}

// Parses agent / check-config options. Returns 0 on success or an exit code.
int parse_agent_args(Args& a, AgentOptions& o, bool& metrics_http) {
  while (a.more()) {
    std::string arg = a.next();
    auto value = [&](const char* what) -> const std::string* {
      if (!a.more()) return nullptr;
      (void)what;
      return &a.next();
    };
    if (arg == "-n" || arg == "--name") {
      auto v = value("name");
      if (!v) return usage_error(arg + " needs an agent name");
      o.name = *v;
    } else if (arg == "-f" || arg == "--conf-file") {
      auto v = value("file");
      if (!v) return usage_error(arg + " needs a file");
      o.config_file = *v;
    } else if (arg == "-c" || arg == "--conf") {
      if (!value("dir")) return usage_error(arg + " needs a directory");
    } else if (arg == "--strict") {
      o.strict = true;
    } else if (arg == "--no-reload-conf") {
      o.reload = false;
    } else if (arg == "--metrics-port") {
      auto v = value("port");
      int p;
      if (!v || !parse_int(*v, p) || p > 65535) return usage_error("--metrics-port needs a port number");
      o.metrics_port = p;
    } else if (arg == "--metrics-bind") {
      auto v = value("addr");
      if (!v) return usage_error("--metrics-bind needs an address");
      o.metrics_bind = *v;
    } else if (arg == "--reload-interval" || arg == "--drain-timeout") {
      auto v = value("seconds");
      int s;
      if (!v || !parse_int(*v, s)) return usage_error(arg + " needs a number of seconds");
      (arg == "--reload-interval" ? o.reload_interval : o.drain_timeout) = std::chrono::seconds(s);
    } else if (arg == "--log-level") {
      auto v = value("level");
      LogLevel l;
      if (!v || !Log::parse_level(*v, l)) return usage_error("--log-level needs TRACE, DEBUG, INFO, WARN or ERROR");
      Log::set_level(l);
    } else if (arg.starts_with("-D")) {
      std::string kv = arg.substr(2);
      auto eq = kv.find('=');
      std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
      if (k == "flume.monitoring.type") {
        if (v != "http" && v != "HTTP")
          SLUICE_LOG(Warn, "agent") << "-Dflume.monitoring.type=" << v << " is not supported (only http); ignored";
        else
          metrics_http = true;
      } else if (k == "flume.monitoring.port") {
        int p;
        if (!parse_int(v, p) || p > 65535) return usage_error("-Dflume.monitoring.port needs a port number");
        o.metrics_port = p;
      } else if (k == "flume.monitoring.host") {
        o.metrics_bind = v;
      } else if (k.starts_with("flume.monitoring.")) {
        o.metrics_tls[k.substr(std::string_view("flume.monitoring.").size())] = v;  // checked when the endpoint starts
      } else if (k == "flume.root.logger") {
        LogLevel l;
        if (Log::parse_level(v.substr(0, v.find(',')), l)) Log::set_level(l);
      } else {
        SLUICE_LOG(Debug, "agent") << "ignoring JVM property -D" << kv;
      }
    } else {
      return usage_error("unknown option '" + arg + "'");
    }
  }
  return 0;
}

int cmd_agent(Args& a) {
  AgentOptions o;
  bool metrics_http = false;
  if (int rc = parse_agent_args(a, o, metrics_http)) return rc;
  if (o.name.empty()) return usage_error("agent needs -n NAME");
  if (o.config_file.empty()) return usage_error("agent needs -f FILE");
  if (metrics_http && o.metrics_port < 0) o.metrics_port = 41414;  // Flume's default monitoring port
  return run_agent(o);
}

int cmd_check_config(Args& a) {
  AgentOptions o;
  bool metrics_http = false;
  if (int rc = parse_agent_args(a, o, metrics_http)) return rc;
  if (o.config_file.empty()) return usage_error("check-config needs -f FILE");
  if (o.name.empty()) {
    Diagnostics d;
    std::vector<ConfigEntry> entries;
    if (!load_config_file(o.config_file, entries, d)) {
      std::fputs(d.format().c_str(), stderr);
      return 1;
    }
    auto names = agent_names(entries);
    if (names.size() != 1) {
      std::string list;
      for (const auto& n : names) list += " " + n;
      return usage_error("the file defines " + std::to_string(names.size()) + " agents (" + list +
                         " ); name one with -n");
    }
    o.name = names[0];
  }
  auto p = load_pipeline(o.config_file, o.name, o.strict, nullptr);
  if (!p) return 1;
  std::fputs(p->describe().c_str(), stdout);
  std::printf("configuration OK\n");
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) a.v.emplace_back(argv[i]);
  if (!a.more()) return usage_error("no command given");
  std::string cmd = a.next();
  if (cmd == "agent") return cmd_agent(a);
  if (cmd == "check-config") return cmd_check_config(a);
  if (cmd == "help" || cmd == "--help" || cmd == "-h") return print_component_help(a.v, a.i, kUsage);
  if (cmd == "avro-client") return run_avro_client(argc - 1, argv + 1);
  if (cmd == "version" || cmd == "--version") {
    std::fputs(version_text().c_str(), stdout);
    return 0;
  }
  return usage_error("unknown command '" + cmd + "'");
}

}  // namespace sluice
