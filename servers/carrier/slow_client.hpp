#pragma once
// What a carrier does with a client whose send queue overflowed (SendResult::dropped).
#include <boost/asio/ip/tcp.hpp>

#include "servers/stream/context.hpp"

namespace pushbench::server {

/// Counts the drop and arms an abortive close on `socket` (SO_LINGER 0): when the caller then
/// closes the connection, the kernel discards the backlog (megabytes of send buffer on loopback)
/// instead of trickling it to a client that cannot keep up, and the client sees a reset.
inline void abort_slow_client(ThreadContext& ctx, boost::asio::ip::tcp::socket& socket) {
  ctx.stats.add(ctx.stats.slow_clients_dropped);
  boost::system::error_code ignored;
  socket.set_option(boost::asio::socket_base::linger(true, 0), ignored);
}

}  // namespace pushbench::server
