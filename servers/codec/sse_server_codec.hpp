#pragma once
// The server side of an SSE event stream, whatever carries it: HTTP/1.1 chunks (SseConnection)
// or HTTP/2 DATA frames (H2SseStream). It encodes events and comments as text/event-stream and
// compresses them with the negotiated content coding (one compressor per response); the carrier
// frames the resulting body bytes and queues them.
#include <optional>
#include <string>
#include <string_view>

#include "core/codec/deflate.hpp"
#include "servers/codec/codec_carrier.hpp"

namespace pushbench::server {

/// What an SseServerCodec asks of the carrier of its stream.
class SseCarrier : public CodecCarrier {
 public:
  /// Frames response body bytes for the carrier (an HTTP/1.1 chunk; HTTP/2 as they are).
  virtual SharedBuffer frame_body(std::string_view body) = 0;
};

class SseServerCodec {
 public:
  /// `coding`: the negotiated content coding, nullopt for identity; `identity_framer` frames an
  /// uncompressed event for the carrier in one piece (HTTP/1.1: a chunk).
  SseServerCodec(const ServerConfig& config, std::optional<compress::Format> coding,
                 FrameFn identity_framer, SseCarrier& carrier);
  /// Identity: the carrier's event framer. Coded: SSE text, compressed in send().
  FrameFn framer() const { return deflater_ ? &frame_text : identity_framer_; }
  /// Queues a framed event; compresses (context takeover, sync flush per event) when coded.
  SendResult send(SharedBuffer framed);
  /// Queues SSE text that is not an event (a comment, a retry field), compressed when coded.
  void send_text(std::string_view text);
  /// An SSE comment line.
  void keepalive();
  /// The end of a compressed body (the deflate stream's last block); empty when identity.
  std::string finish_body();
  /// The content coding in effect (nullopt when identity).
  std::optional<compress::Format> coding() const { return deflater_ ? coding_ : std::nullopt; }

  /// `id: <seq>\ndata: <data>\n\n`.
  static SharedBuffer frame_text(std::uint64_t seq, std::string_view data);

 private:
  const ServerConfig& config_;
  std::optional<compress::Format> coding_;
  std::optional<compress::Deflater> deflater_;
  FrameFn identity_framer_;
  SseCarrier& carrier_;
  std::string compressed_;  ///< reused output buffer
};

}  // namespace pushbench::server
