#pragma once
// SSE over HTTP/1.1: the carrier of an SseClientCodec. A GET with the codec's fields (and
// Last-Event-ID when resuming), a streaming (chunked, sized or close-delimited) response whose
// header and de-chunked body go to the codec.
#include "loadgen/protocol/http_response_reader.hpp"
#include "loadgen/protocol/session.hpp"
#include "loadgen/protocol/sse_client_codec.hpp"

namespace pushbench::loadgen {

class SseSession final : public Session {
 public:
  SseSession(const Target& target, const StreamSpec& spec, const SessionOptions& options,
             SessionHandler& handler);
  std::string initial_request() override;
  std::error_code on_read(std::string_view bytes, std::string& out) override;
  std::error_code on_eof() override;
  bool finished() const override { return finished_ || codec_.finished(); }
  bool compressed() const override { return codec_.compressed(); }
  std::optional<std::uint64_t> retry_ms() const override { return codec_.retry_ms(); }
  PeerHeaders peer_headers() const override { return reader_.peer_headers(); }

 private:
  std::error_code on_body(std::string_view body);
  /// Hands the response header to the codec once and tells the handler.
  std::error_code establish();

  std::string request_;
  SessionHandler& handler_;
  HttpResponseReader reader_;
  SseClientCodec codec_;
  std::string unused_;              ///< SSE sends nothing back; the codec's `out`
  bool established_ = false;        ///< the codec accepted the response header
  bool finished_ = false;           ///< the body ended cleanly
};

}  // namespace pushbench::loadgen
