#pragma once
// permessage-deflate (RFC 7692) on our own RFC 6455 framing, for WebSockets over HTTP/1.1 and
// over HTTP/2 (RFC 8441): negotiation from the client's offer, then one compressor per
// connection with the server's configured level, window, memLevel and context takeover.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/codec/permessage_deflate.hpp"
#include "servers/stream/context.hpp"
#include "servers/stream/event_stream.hpp"
#include "servers/stream/send_queue.hpp"

namespace pushbench::server {

class WsCompressor {
 public:
  /// Negotiates from the client's Sec-WebSocket-Extensions `offer`; inactive when compression is
  /// off in `config` or no acceptable permessage-deflate offer was made. `broadcast`: the stream
  /// is a topic subscription (its events may share one compressed encoding).
  WsCompressor(const ServerConfig& config, std::string_view offer, bool broadcast);
  bool active() const { return agreed_ != nullptr; }
  /// True when events arrive already compressed and framed by frame_shared() (see framer()).
  bool shared() const { return shared_; }
  /// The framing events are produced with: frame_shared when shared(), frame_data when active
  /// (frame() then compresses per connection), else `plain`.
  FrameFn framer(FrameFn plain) const {
    return shared_ ? &frame_shared : agreed_ ? &frame_data : plain;
  }
  /// The Sec-WebSocket-Extensions response value; empty when inactive.
  std::string response() const;
  /// A client message's text (chat echo): `payload` itself, or inflated when `compressed` (RSV1);
  /// nullopt when it does not inflate (inactive, corrupt, larger than max_message_bytes). The
  /// view is valid until the next call.
  std::optional<std::string_view> message(std::string_view payload, bool compressed);
  /// What a connection queues for an event produced with framer(): `framed` as it is (plain or
  /// shared frames), or its per-connection compressed frame; null when the compressor fails.
  SharedBuffer encode(SharedBuffer framed);
  /// One FIN text frame holding `data`: compressed (RSV1) when active and `data` has at least
  /// pmd_min_size bytes, else plain. Null when the compressor fails.
  SharedBuffer frame(std::string_view data);
  /// The identity framing for events that frame() encodes per connection (a broadcast encodes
  /// it once for every subscriber).
  static SharedBuffer frame_data(std::uint64_t seq, std::string_view data);
  /// Shared broadcast compression (--pmd-shared-broadcast): with server_no_context_takeover every
  /// message is compressed independently, so one compressed frame serves every subscriber that
  /// agreed to the server's window. Compresses `data` once (a thread-local compressor with the
  /// server's level, window and memLevel) into a complete RSV1 text frame.
  static SharedBuffer frame_shared(std::uint64_t seq, std::string_view data);
  /// Records the process's compression settings for frame_shared(); called once at start-up.
  static void configure_shared(const ServerConfig& config);

 private:
  /// The state of an agreed permessage-deflate (allocated only then, so that an uncompressed
  /// stream holds none of it).
  struct Agreed {
    Agreed(const compress::PmdParams& p, int level, int mem_level)
        : params(p), deflater(p, false, level, mem_level) {}
    compress::PmdParams params;                     ///< what was negotiated
    compress::PmdDeflater deflater;                 ///< our messages
    std::optional<compress::PmdInflater> inflater;  ///< created on the first compressed message
    std::string inflated;                           ///< the last inflated client message
    std::string compressed;                         ///< reused output buffer
  };

  std::size_t min_size_ = 0;           ///< smaller messages are sent uncompressed
  std::size_t max_message_bytes_ = 0;  ///< the inflated size limit of a client message
  std::unique_ptr<Agreed> agreed_;     ///< null when inactive
  bool shared_ = false;                ///< see shared()
};

}  // namespace pushbench::server
