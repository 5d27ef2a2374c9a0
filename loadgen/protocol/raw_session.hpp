#pragma once
// The raw-TCP baseline: one handshake line out, then one event per LF-terminated line in. A first
// line "ERROR <reason>" is the server's refusal.
#include "loadgen/protocol/session.hpp"

namespace pushbench::loadgen {

class RawSession final : public Session {
 public:
  RawSession(const StreamSpec& spec, const SessionOptions& options, SessionHandler& handler);
  std::string initial_request() override { return raw_handshake_line(spec_); }
  std::error_code on_read(std::string_view bytes, std::string& out) override;
  /// A raw stream ends when the server closes it after the last line.
  std::error_code on_eof() override;
  bool end_is_framed() const override { return false; }
  bool finished() const override { return finished_; }

 private:
  std::error_code on_line(std::string_view line);
  StreamSpec spec_;
  SessionHandler& handler_;
  std::size_t max_line_;
  std::string partial_;  ///< the incomplete last line
  bool first_line_ = true;
  bool finished_ = false;
};

}  // namespace pushbench::loadgen
