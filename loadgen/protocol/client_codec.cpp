#include "loadgen/protocol/client_codec.hpp"

#include "loadgen/protocol/sse_client_codec.hpp"
#include "loadgen/protocol/ws_client_codec.hpp"

namespace pushbench::loadgen {

std::unique_ptr<ClientCodec> make_client_codec(Transport transport, SessionHandler& handler,
                                               std::size_t stream, const SessionOptions& options,
                                               std::size_t max_reply_backlog) {
  switch (transport) {
    case Transport::sse: return std::make_unique<SseClientCodec>(handler, stream, options);
    case Transport::ws:
      return std::make_unique<WsClientCodec>(handler, stream, options, max_reply_backlog);
    case Transport::raw: return nullptr;
  }
  return nullptr;
}

}  // namespace pushbench::loadgen
