// Keys shared by Flume's syslog sources (syslogtcp, multiport_syslogtcp, syslogudp), read in one
// place so the three types agree on names and defaults.
#pragma once
#include <string>

#include "agent/context.hpp"
#include "sources/syslog/syslog_parser.hpp"

namespace sluice::syslog {

struct Options {
  std::string host;
  size_t event_size = 2500;
  KeepFields keep;
  std::string client_ip_header, client_hostname_header, port_header;
  size_t batch_size = 100;
  size_t read_buffer = 65536;
  int threads = 1;
  int max_connections = 1000;
  int idle_timeout_s = 0;

  // multiport: portHeader and Flume's multiport defaults.
  void read(Context& ctx, bool tcp, bool multiport);
};

// Adds the client headers Flume's syslog sources add (clientIPHeader, clientHostnameHeader,
// portHeader) when configured.
void add_client_headers(Event& e, const Options& o, const std::string& ip, const std::string& hostname, int port);

// Reverse DNS of an address, once per connection (empty if none).
std::string reverse_lookup(const std::string& ip);

}  // namespace sluice::syslog
