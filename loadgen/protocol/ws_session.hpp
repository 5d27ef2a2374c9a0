#pragma once
// WebSocket over HTTP/1.1: the carrier of a WsClientCodec. An upgrade request, a verified 101
// (Upgrade, Sec-WebSocket-Accept), then every byte goes to the codec.
#include "loadgen/protocol/http_response_reader.hpp"
#include "loadgen/protocol/session.hpp"
#include "loadgen/protocol/ws_client_codec.hpp"

namespace pushbench::loadgen {

class WsSession final : public Session {
 public:
  WsSession(const Target& target, const StreamSpec& spec, const SessionOptions& options,
            SessionHandler& handler);
  std::string initial_request() override;
  std::error_code on_read(std::string_view bytes, std::string& out) override;
  std::error_code on_eof() override;
  bool finished() const override { return codec_.finished(); }
  std::string goodbye() override;
  /// One masked text frame.
  bool send_message(std::size_t stream, std::string_view message, std::string& out) override;
  bool compressed() const override { return codec_.compressed(); }
  PeerHeaders peer_headers() const override { return reader_.peer_headers(); }

 private:
  /// Checks the 101 answer and hands its extensions to the codec.
  std::error_code establish();

  std::string request_;
  std::string key_;                 ///< our Sec-WebSocket-Key
  SessionHandler& handler_;
  HttpResponseReader reader_;       ///< reads the 101 answer only
  WsClientCodec codec_;
  bool established_ = false;        ///< the handshake completed
};

}  // namespace pushbench::loadgen
