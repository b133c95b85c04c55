#include "agent/listen.hpp"

#include <boost/asio.hpp>
#include <stdexcept>

namespace sluice {

void open_listener(boost::asio::ip::tcp::acceptor& acceptor, const std::string& host, int port) {
  namespace asio = boost::asio;
  using tcp = asio::ip::tcp;
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) {
    tcp::resolver r(acceptor.get_executor());
    auto res = r.resolve(host, "0", ec);
    if (ec || res.empty()) throw std::runtime_error("cannot resolve bind address '" + host + "'");
    addr = res.begin()->endpoint().address();
  }
  tcp::endpoint ep(addr, static_cast<unsigned short>(port));
  acceptor.open(ep.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(ep, ec);
  if (ec) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  acceptor.listen(asio::socket_base::max_listen_connections);
}

}  // namespace sluice
