#pragma once
// The raw-TCP baseline: after a one-line handshake, each event's data is sent as one line.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <memory>
#include <optional>

#include "servers/carrier/stream_connection.hpp"

namespace pushbench::server {

class RawConnection final : public StreamConnection {
 public:
  RawConnection(ThreadContext& ctx, boost::asio::ip::tcp::socket socket);
  /// Reads the handshake line ("PUSHBENCH/1 <query>\n"), then streams; a bad line gets
  /// "ERROR <reason>\n" and a close.
  void start();
  FrameFn framer() const override { return &frame_event; }
  /// `<data>\n` (event data never contains LF).
  static SharedBuffer frame_event(std::uint64_t seq, std::string_view data);
  /// An empty line (receivers ignore empty lines).
  void keepalive() override { enqueue(std::make_shared<const std::string>("\n")); }

 private:
  void on_handshake(boost::system::error_code ec, std::size_t n);
  void reject(std::string reason);
  /// The handshake line being read; freed once it is parsed, as is the timer.
  std::unique_ptr<boost::asio::streambuf> handshake_ =
      std::make_unique<boost::asio::streambuf>(4096);
  std::optional<boost::asio::steady_timer> handshake_timer_;  ///< closes a silent client
};

}  // namespace pushbench::server
