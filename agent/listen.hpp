// Opening a listening TCP socket for a network source: the bind address may be an IP or a host
// name; errors name the address and port. Shared by the avro, http and syslog TCP sources.
#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <string>

namespace sluice {

// Opens, binds (SO_REUSEADDR) and listens; throws std::runtime_error with address and port.
void open_listener(boost::asio::ip::tcp::acceptor& acceptor, const std::string& host, int port);

}  // namespace sluice
