// RFC 6455 WebSocket framing: header encoding, masking, and an incremental, validating decoder.
#pragma once

#include <array>
#include <memory>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace pushbench::ws {

enum class Opcode : std::uint8_t {
  continuation = 0,
  text = 1,
  binary = 2,
  close = 8,
  ping = 9,
  pong = 10
};

// True for close, ping and pong.
constexpr bool is_control(Opcode op) noexcept {
  return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}

// Protocol violations detected by Decoder; usable as std::error_code (category "websocket-frame").
enum class FrameError {
  reserved_opcode = 1,      // opcode 3-7 or 11-15
  reserved_bits,            // RSV2/RSV3 set, or RSV1 set where it is not allowed
  control_too_long,         // control frame payload longer than 125 bytes
  control_fragmented,       // control frame without FIN
  unexpected_continuation,  // continuation frame with no data message in progress
  expected_continuation,    // new text/binary frame while a fragmented message is in progress
  mask_mismatch,            // masked when it must not be, or vice versa
  message_too_big,          // reassembled message would exceed the decoder's limit
  bad_length,               // non-minimal length encoding, or 64-bit length with MSB set
  bad_close_payload,        // 1-byte close payload, invalid close code, or non-UTF-8 reason
  invalid_utf8,             // uncompressed text message is not valid UTF-8
};

// The singleton category of FrameError.
const std::error_category& frame_category() noexcept;

std::error_code make_error_code(FrameError e) noexcept;

// Which side the decoder runs on: a server expects masked frames, a client unmasked ones.
enum class Role { client, server };

struct FrameHeader {
  bool fin = true;                   // final fragment of a message
  bool rsv1 = false;                 // "per-message compressed" when permessage-deflate is on
  Opcode opcode = Opcode::text;      // frame type
  bool masked = false;               // a mask key follows the length
  std::uint32_t mask = 0;            // key; its most significant byte masks payload byte 0
  std::uint64_t payload_length = 0;  // must be < 2^63
};

// Upper bound on the size of an encoded header.
constexpr std::size_t max_header_bytes = 14;

// Writes `h` to `out` (which must have room for max_header_bytes) using the minimal length
// encoding. Returns the number of bytes written, 2..14.
std::size_t encode_header(const FrameHeader& h, std::uint8_t* out) noexcept;

// XORs `n` bytes at `data` with `mask`, treating data[0] as payload byte number `offset`, so a
// payload can be unmasked in chunks. Masking is its own inverse.
void apply_mask(std::uint8_t* data, std::size_t n, std::uint32_t mask,
                std::size_t offset = 0) noexcept;

// Appends a complete frame (header, then payload, masked with `mask` when given) to `out`.
void append_frame(std::string& out, Opcode op, std::string_view payload, bool fin = true,
                  std::optional<std::uint32_t> mask = std::nullopt, bool rsv1 = false);

// Builds a close frame payload: big-endian `code` followed by `reason`. The caller keeps the
// reason to at most 123 bytes of UTF-8 so that the frame stays a valid control frame.
std::string close_payload(std::uint16_t code, std::string_view reason = {});

// True for close codes a peer may send: 1000-1003, 1007-1011, 3000-4999.
constexpr bool is_valid_close_code(std::uint16_t code) noexcept {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
         (code >= 3000 && code <= 4999);
}

// Strict UTF-8 check: rejects overlong forms, surrogates, code points above U+10FFFF and
// truncated sequences.
bool is_valid_utf8(std::string_view s) noexcept;

// Receives decoded messages. Views passed to callbacks are valid only during the call; a
// callback must not call Decoder::feed on the decoder that invoked it.
class Handler {
 public:
  virtual ~Handler() = default;
  // A complete, reassembled text or binary message. `compressed` is the RSV1 bit of its first
  // frame; compressed text is not UTF-8 checked since it must be inflated first.
  virtual void on_message(Opcode op, std::string_view payload, bool compressed) = 0;
  // A ping, pong or close frame. Close payloads have already been validated.
  virtual void on_control(Opcode /*op*/, std::string_view /*payload*/) {}
};

// Incremental frame decoder for one direction of one connection.
//
// Any split of the byte stream across feed() calls yields the same callbacks and the same
// error. A single unfragmented, unmasked data frame that lies entirely inside one fed buffer is
// delivered as a view into that buffer; everything else goes through an internal buffer that
// is reused between messages.
class Decoder {
 public:
  // `max_message_bytes` bounds a reassembled message (compressed size when RSV1 is set);
  // `allow_rsv1` enables RSV1 on the first frame of data messages (permessage-deflate).
  Decoder(Handler& handler, Role role, std::size_t max_message_bytes = 16 << 20,
          bool allow_rsv1 = false);

  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Consumes `bytes`, invoking the handler for every completed message or control frame.
  // Returns the first protocol error; once failed, every later call returns that error without
  // consuming anything. Bytes after a close frame are ignored.
  std::error_code feed(std::string_view bytes);

  // True once a close frame has been received.
  bool closed() const noexcept { return closed_; }

  // The error that failed the decoder, or an empty error_code.
  std::error_code error() const noexcept { return error_; }

 private:
  enum class State : std::uint8_t { header, payload };

  std::error_code check_prefix(std::uint8_t b0, std::uint8_t b1) const noexcept;
  std::error_code begin_frame(const std::uint8_t* header);
  std::error_code end_frame();
  std::error_code deliver(std::string_view payload);
  std::error_code fail(std::error_code ec);

  Handler& handler_;
  Role role_;
  bool allow_rsv1_;
  std::size_t max_message_bytes_;

  State state_ = State::header;
  bool closed_ = false;
  std::error_code error_;

  std::array<std::uint8_t, max_header_bytes> header_buf_{};  // a header split across feeds
  std::size_t header_len_ = 0;                               // bytes held in header_buf_

  FrameHeader frame_;            // header of the frame being received
  std::uint64_t frame_pos_ = 0;  // payload bytes of that frame received so far

  bool in_message_ = false;               // a fragmented data message awaits continuations
  Opcode message_opcode_ = Opcode::text;  // opcode of the message being assembled
  bool message_compressed_ = false;       // RSV1 of its first frame
  std::string message_;                   // payload assembled so far (unmasked)

  // Payload of the control frame being received; allocated on the first control frame with a
  // payload, so that an idle stream's decoder holds no buffer for it.
  std::unique_ptr<std::array<std::uint8_t, 125>> control_;
};

}  // namespace pushbench::ws

template <>
struct std::is_error_code_enum<pushbench::ws::FrameError> : std::true_type {};
