#pragma once
// The client side of SSE on one stream: judges the response (2xx, text/event-stream, content
// coding; 204 ends the stream for good), inflates a gzip/deflate body and parses events.
#include <optional>
#include <string>

#include "core/codec/deflate.hpp"
#include "core/codec/sse_parser.hpp"
#include "loadgen/protocol/client_codec.hpp"

namespace pushbench::loadgen {

class SseClientCodec final : public ClientCodec, private sse::Handler {
 public:
  /// Events go to `handler` as stream `stream`; `options` sets the compression offer and the
  /// bound on one event (and on one read's decompressed output).
  SseClientCodec(SessionHandler& handler, std::size_t stream, const SessionOptions& options);
  /// Accept, Cache-Control, User-Agent and, when offering compression, Accept-Encoding.
  const HeaderFields& request_fields() const override { return fields_; }
  /// 204: finished; else 2xx, a text/event-stream type and a known coding (case-insensitive).
  std::error_code on_response(const ResponseHead& head) override;
  /// Inflates (when coded) and parses; decompress_error, event_too_large.
  std::error_code on_body(std::string_view bytes, std::string& out) override;
  bool finished() const override { return no_content_; }
  bool compressed() const override { return inflater_.has_value(); }
  std::optional<std::uint64_t> retry_ms() const override { return parser_.retry_ms(); }

 private:
  void on_event(const sse::Event& ev) override;

  SessionHandler& handler_;
  std::size_t stream_;                          ///< the stream index reported with each event
  HeaderFields fields_;                         ///< request_fields()
  sse::Parser parser_;
  std::optional<compress::Inflater> inflater_;  ///< when the response is content-coded
  std::string inflated_;                        ///< reused decompression output
  std::size_t max_event_bytes_;                 ///< bound on one event and one read's output
  bool no_content_ = false;                     ///< the server answered 204
};

}  // namespace pushbench::loadgen
