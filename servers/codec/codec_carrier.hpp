#pragma once
// What a server codec (servers/sse_server_codec, servers/ws_server_codec) asks of the carrier of
// its stream: an HTTP/1.1 connection (StreamConnection) or an HTTP/2 stream (H2Stream).
#include "servers/stream/event_stream.hpp"

namespace pushbench::server {

class CodecCarrier {
 public:
  virtual ~CodecCarrier() = default;
  /// Queues bytes exactly as given (already framed for the carrier).
  virtual SendResult enqueue_bytes(SharedBuffer bytes) = 0;
  /// Ends the stream at once: our compressor failed, or (`client_error`) the client sent what
  /// could not be decoded (HTTP/1.1 closes the connection, HTTP/2 resets the stream).
  virtual void abort_stream(bool client_error) = 0;
};

}  // namespace pushbench::server
