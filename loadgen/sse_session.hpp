#pragma once
// SSE over HTTP/1.1: a GET with Accept: text/event-stream, a streaming (chunked, sized or
// close-delimited) response, the body parsed by the WHATWG event-stream parser.
#include <optional>

#include "core/deflate.hpp"
#include "core/sse_parser.hpp"
#include "loadgen/http_response_reader.hpp"
#include "loadgen/session.hpp"

namespace pushbench::loadgen {

class SseSession final : public Session, private sse::Handler {
 public:
  SseSession(const Target& target, const StreamSpec& spec, const SessionOptions& options,
             SessionHandler& handler);
  std::string initial_request() override;
  std::error_code on_read(std::string_view bytes, std::string& out) override;
  std::error_code on_eof() override;
  bool finished() const override { return finished_; }
  bool compressed() const override { return inflater_.has_value(); }
  std::optional<std::uint64_t> retry_ms() const override { return parser_.retry_ms(); }
  PeerHeaders peer_headers() const override { return reader_.peer_headers(); }

 private:
  void on_event(const sse::Event& ev) override;
  std::error_code on_body(std::string_view body);
  /// Checks the response header once (2xx, text/event-stream) and tells the handler.
  std::error_code establish();

  std::string request_;
  SessionHandler& handler_;
  HttpResponseReader reader_;
  sse::Parser parser_;
  std::optional<compress::Inflater> inflater_;  ///< when the response is content-coded
  std::string inflated_;                        ///< reused decompression output
  std::size_t max_event_bytes_;
  bool established_ = false;
  bool finished_ = false;
};

}  // namespace pushbench::loadgen
