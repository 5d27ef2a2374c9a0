#pragma once
// permessage-deflate (RFC 7692) on our own RFC 6455 framing, for WebSockets over HTTP/1.1 and
// over HTTP/2 (RFC 8441): negotiation from the client's offer, then one compressor per
// connection with the server's configured level, window, memLevel and context takeover.
#include <optional>
#include <string>
#include <string_view>

#include "core/permessage_deflate.hpp"
#include "servers/send_queue.hpp"
#include "servers/server.hpp"

namespace pushbench::server {

class WsCompressor {
 public:
  /// Negotiates from the client's Sec-WebSocket-Extensions `offer`; inactive when compression is
  /// off in `config` or no acceptable permessage-deflate offer was made.
  WsCompressor(const ServerConfig& config, std::string_view offer);
  bool active() const { return deflater_.has_value(); }
  /// The Sec-WebSocket-Extensions response value; empty when inactive.
  std::string response() const;
  /// One FIN text frame holding `data`: compressed (RSV1) when active and `data` has at least
  /// pmd_min_size bytes, else plain. Null when the compressor fails.
  SharedBuffer frame(std::string_view data);
  /// The identity framing for events that frame() encodes per connection (a broadcast encodes
  /// it once for every subscriber).
  static SharedBuffer frame_data(std::uint64_t seq, std::string_view data);

 private:
  std::size_t min_size_ = 0;
  std::optional<compress::PmdParams> agreed_;
  std::optional<compress::PmdDeflater> deflater_;
  std::string compressed_;  ///< reused output buffer
};

}  // namespace pushbench::server
