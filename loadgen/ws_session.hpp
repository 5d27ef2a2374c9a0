#pragma once
// WebSocket (RFC 6455) over HTTP/1.1: an upgrade request, a verified 101, then frames decoded by
// our own incremental decoder; pings are answered, a close frame ends the stream cleanly.
#include <optional>

#include "core/permessage_deflate.hpp"
#include "core/ws_frame.hpp"
#include "loadgen/http_response_reader.hpp"
#include "loadgen/session.hpp"

namespace pushbench::loadgen {

class WsSession final : public Session, private ws::Handler {
 public:
  WsSession(const Target& target, const StreamSpec& spec, const SessionOptions& options,
            SessionHandler& handler);
  std::string initial_request() override;
  std::error_code on_read(std::string_view bytes, std::string& out) override;
  std::error_code on_eof() override;
  bool finished() const override { return finished_; }
  std::string goodbye() override;
  /// One masked text frame.
  bool send_message(std::size_t stream, std::string_view message, std::string& out) override;
  bool compressed() const override { return inflater_.has_value(); }
  PeerHeaders peer_headers() const override { return reader_.peer_headers(); }

 private:
  void on_message(ws::Opcode op, std::string_view payload, bool compressed) override;
  void on_control(ws::Opcode op, std::string_view payload) override;
  std::uint32_t next_mask();

  std::string request_;
  std::string key_;
  SessionHandler& handler_;
  HttpResponseReader reader_;
  std::optional<ws::Decoder> decoder_;         ///< created once the handshake says whether RSV1 may be set
  std::size_t max_message_bytes_;
  std::optional<compress::PmdParams> offered_; ///< our permessage-deflate offer, if any
  std::optional<compress::PmdInflater> inflater_;
  std::string inflated_;                       ///< reused decompression output
  std::error_code message_error_;              ///< an error raised inside a decoder callback
  std::uint64_t mask_state_;
  std::string* out_ = nullptr;  ///< where control replies go during on_read()
  bool established_ = false;
  bool finished_ = false;
  bool close_sent_ = false;
};

}  // namespace pushbench::loadgen
