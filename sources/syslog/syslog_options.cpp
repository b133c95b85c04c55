#include "sources/syslog/syslog_options.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <cstring>

namespace sluice::syslog {

void Options::read(Context& ctx, bool tcp, bool multiport) {
  host = ctx.get_string("host", "0.0.0.0", "address to listen on");
  event_size = static_cast<size_t>(
      ctx.get_int("eventSize", 2500, "largest message in bytes; longer ones are cut and marked Incomplete", 10));
  std::string kf = ctx.get_string("keepFields", "none",
                                  "none, all, or fields kept in the body: priority version timestamp hostname");
  std::string bad;
  if (!KeepFields::parse(kf, keep, bad))
    ctx.error("keepFields", "'" + bad + "' is not a field (expected none, all, or priority version timestamp hostname)");
  client_ip_header = ctx.get_string("clientIPHeader", "", "header for the sender's IP address (none if empty)");
  client_hostname_header =
      ctx.get_string("clientHostnameHeader", "", "header for the sender's host name by reverse DNS (none if empty)");
  port_header = ctx.get_string("portHeader", "", "header for the port the message arrived on (none if empty)");
  std::string charset = ctx.get_string("charset.default", "UTF-8", "charset of messages (bytes are passed through)");
  ctx.get_prefixed("charset.port.", "charset.port.<port>: per-port charset (bytes are passed through)");
  for (auto& c : charset) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (charset != "UTF-8" && charset != "UTF8" && charset != "US-ASCII" && charset != "ISO-8859-1")
    ctx.warning("charset.default", "bytes are passed through unchanged; '" + charset + "' is not transcoded");
  batch_size = static_cast<size_t>(ctx.get_int("batchSize", 100, "events per channel transaction", 1));
  read_buffer = static_cast<size_t>(
      ctx.get_int("readBufferSize", multiport ? 1024 : 65536, "bytes read from a connection at a time", 256));
  threads = static_cast<int>(ctx.get_int("numProcessors", 1, "network threads", 1, 64));
  if (tcp) {
    max_connections = static_cast<int>(ctx.get_int("maxConnections", 1000, "most open connections (sluice)", 1));
    idle_timeout_s = static_cast<int>(
        ctx.get_int("idleTimeout", 600, "seconds before an idle connection is closed, 0 never (sluice)", 0));
  }
}

void add_client_headers(Event& e, const Options& o, const std::string& ip, const std::string& hostname, int port) {
  if (!o.client_ip_header.empty()) e.headers.set(o.client_ip_header, ip);
  if (!o.client_hostname_header.empty() && !hostname.empty()) e.headers.set(o.client_hostname_header, hostname);
  if (!o.port_header.empty()) e.headers.set(o.port_header, std::to_string(port));
}

std::string reverse_lookup(const std::string& ip) {
  sockaddr_storage ss{};
  socklen_t len;
  if (inet_pton(AF_INET, ip.c_str(), &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr) == 1) {
    ss.ss_family = AF_INET;
    len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, ip.c_str(), &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr) == 1) {
    ss.ss_family = AF_INET6;
    len = sizeof(sockaddr_in6);
  } else {
    return {};
  }
  char host[NI_MAXHOST];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, nullptr, 0, NI_NAMEREQD) != 0) return {};
  return host;
}

}  // namespace sluice::syslog
