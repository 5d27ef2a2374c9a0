#pragma once
// An SSE stream over HTTP/1.1: a chunked text/event-stream response, one chunk per event.
#include "servers/stream_connection.hpp"

namespace pushbench::server {

class SseConnection final : public StreamConnection {
 public:
  using StreamConnection::StreamConnection;
  /// Writes the response header and starts the event stream.
  void start();
  FrameFn framer() const override { return &frame_event; }
  /// `<hex length>\r\nid: <seq>\ndata: <data>\n\n\r\n`.
  static SharedBuffer frame_event(std::uint64_t seq, std::string_view data);

 private:
  std::string trailer() const override { return "0\r\n\r\n"; }
};

}  // namespace pushbench::server
