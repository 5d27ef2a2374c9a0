#pragma once
// A WebSocket (RFC 6455) event stream over HTTP/1.1, with Beast: one text message per event.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <memory>

#include "servers/stream/drain.hpp"
#include "servers/stream/event_stream.hpp"

namespace pushbench::server {

class WsConnection final : public EventSink,
                           public Drainable,
                           public std::enable_shared_from_this<WsConnection> {
 public:
  WsConnection(ThreadContext& ctx, boost::beast::tcp_stream stream, StreamSpec spec);
  ~WsConnection() override;
  /// Completes the handshake for the already-read upgrade request, then streams.
  void start(boost::beast::http::request<boost::beast::http::string_body> req);

  FrameFn framer() const override { return &frame_event; }
  /// The event data itself: Beast adds the frame header per connection.
  static SharedBuffer frame_event(std::uint64_t seq, std::string_view data);
  SendResult send(SharedBuffer framed) override;
  void finish() override;
  /// A ping frame, unless a write or a ping is in flight (one of each at a time).
  void keepalive() override;
  /// Closes the TCP connection at once (no close frame).
  void drop() override { close({}); }
  /// Shutdown: no more events; the queue is flushed, then a close frame 1001 (going away).
  void go_away() override;

 private:
  void on_accept(boost::beast::error_code ec);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t n);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t n);
  void close(boost::beast::error_code ec);

  ThreadContext& ctx_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  StreamSpec spec_;
  SendQueue queue_;
  boost::beast::flat_buffer read_buffer_;
  bool writing_ = false;
  bool pinging_ = false;
  bool finishing_ = false;
  bool closed_ = false;
  std::shared_ptr<EventSource> source_;
  /// The status code of our closing handshake: normal, or going_away on shutdown.
  boost::beast::websocket::close_code close_code_ = boost::beast::websocket::close_code::normal;
  DrainEntry drain_;  ///< membership of the thread's DrainSet
};

}  // namespace pushbench::server
