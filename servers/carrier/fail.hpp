#pragma once
// Error classification for connection handlers.
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

namespace pushbench::server {

/// True for the ways a peer normally goes away (EOF, reset, our own cancellation, WebSocket close).
inline bool is_normal_close(const boost::system::error_code& ec) {
  namespace asio = boost::asio;
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted || ec == asio::error::broken_pipe ||
         ec == asio::error::not_connected || ec == asio::error::bad_descriptor ||
         ec == boost::beast::http::error::end_of_stream ||
         ec == boost::beast::websocket::error::closed;
}

}  // namespace pushbench::server
