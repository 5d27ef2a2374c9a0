#pragma once
// The state of one stream of an H2Session, shared by the session and its nghttp2 callbacks.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "loadgen/protocol/client_codec.hpp"
#include "loadgen/protocol/h2_session.hpp"

namespace pushbench::loadgen {

/// One request/response exchange on the connection, with its own codec.
struct H2Session::Stream final {
  Stream(std::size_t stream_index, std::unique_ptr<ClientCodec> stream_codec)
      : index(stream_index), codec(std::move(stream_codec)) {}

  /// True once the stream ended, cleanly or not.
  bool done() const { return finished || failed; }

  std::size_t index;                        ///< 0 .. streams-1, in submission order
  std::unique_ptr<ClientCodec> codec;       ///< the protocol on this stream
  std::int32_t id = 0;                      ///< nghttp2 stream id; 0 before submission
  int status = 0;                           ///< the response :status
  std::string content_type;                 ///< the response content-type
  std::string content_encoding;             ///< the response content-encoding
  std::string extensions;                   ///< the response sec-websocket-extensions
  std::error_code refused;                  ///< a non-success :status, its body awaited
  std::string refused_body;                 ///< what arrived of that body (a bounded prefix)
  std::optional<std::uint32_t> reset_code;  ///< the server's RST_STREAM error code
  std::string cause;                        ///< why the stream failed, in words
  std::string pending_out;                  ///< tunnel: client bytes not yet sent
  std::size_t out_pos = 0;                  ///< bytes of pending_out already sent
  bool accepted = false;                    ///< the final response header was accepted
  bool local_ended = false;                 ///< we sent END_STREAM
  bool remote_ended = false;                ///< the server sent END_STREAM
  bool closed = false;                      ///< nghttp2 closed the stream
  bool finished = false;                    ///< ended cleanly
  bool failed = false;                      ///< ended with an error (reported once)
};

}  // namespace pushbench::loadgen
