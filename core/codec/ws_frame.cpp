#include "core/codec/ws_frame.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

namespace pushbench::ws {
namespace {

// A buffer grown beyond this by one large message is released once the message is delivered.
constexpr std::size_t retained_buffer_bytes = 1 << 20;

class FrameErrorCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "websocket-frame"; }

  std::string message(int ev) const override {
    switch (static_cast<FrameError>(ev)) {
      case FrameError::reserved_opcode:
        return "reserved opcode";
      case FrameError::reserved_bits:
        return "reserved header bits set";
      case FrameError::control_too_long:
        return "control frame payload longer than 125 bytes";
      case FrameError::control_fragmented:
        return "fragmented control frame";
      case FrameError::unexpected_continuation:
        return "continuation frame without a message in progress";
      case FrameError::expected_continuation:
        return "new data frame while a fragmented message is in progress";
      case FrameError::mask_mismatch:
        return "frame masking does not match the sender's role";
      case FrameError::message_too_big:
        return "message exceeds the size limit";
      case FrameError::bad_length:
        return "invalid payload length encoding";
      case FrameError::bad_close_payload:
        return "invalid close frame payload";
      case FrameError::invalid_utf8:
        return "text message is not valid UTF-8";
    }
    return "unknown websocket frame error";
  }
};

std::uint64_t load_be(const std::uint8_t* p, int n) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

void store_be(std::uint8_t* p, std::uint64_t v, int n) noexcept {
  for (int i = n - 1; i >= 0; --i) {
    p[i] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
}

// Header size implied by the second header byte.
std::size_t header_size(std::uint8_t b1) noexcept {
  const std::uint8_t len7 = b1 & 0x7F;
  return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((b1 & 0x80) ? 4 : 0);
}

bool is_continuation_byte(unsigned char c) noexcept {
  return (c & 0xC0) == 0x80;
}

}  // namespace

const std::error_category& frame_category() noexcept {
  static const FrameErrorCategory category;
  return category;
}

std::error_code make_error_code(FrameError e) noexcept {
  return {static_cast<int>(e), frame_category()};
}

std::size_t encode_header(const FrameHeader& h, std::uint8_t* out) noexcept {
  assert(h.payload_length >> 63 == 0);
  out[0] = static_cast<std::uint8_t>((h.fin ? 0x80 : 0) | (h.rsv1 ? 0x40 : 0) |
                                     static_cast<std::uint8_t>(h.opcode));
  const std::uint8_t mask_bit = h.masked ? 0x80 : 0;
  std::size_t n;
  if (h.payload_length <= 125) {
    out[1] = static_cast<std::uint8_t>(mask_bit | h.payload_length);
    n = 2;
  } else if (h.payload_length <= 0xFFFF) {
    out[1] = mask_bit | 126;
    store_be(out + 2, h.payload_length, 2);
    n = 4;
  } else {
    out[1] = mask_bit | 127;
    store_be(out + 2, h.payload_length, 8);
    n = 10;
  }
  if (h.masked) {
    store_be(out + n, h.mask, 4);
    n += 4;
  }
  return n;
}

void apply_mask(std::uint8_t* data, std::size_t n, std::uint32_t mask,
                std::size_t offset) noexcept {
  // pattern[j] is the key byte for payload position (offset + j) mod 4; it repeats every 8.
  std::uint8_t pattern[8];
  for (std::size_t j = 0; j < 8; ++j) {
    pattern[j] = static_cast<std::uint8_t>(mask >> (24 - 8 * ((offset + j) & 3)));
  }
  std::uint64_t word;
  std::memcpy(&word, pattern, sizeof word);

  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    std::uint64_t w[4];
    std::memcpy(w, data + i, sizeof w);
    w[0] ^= word;
    w[1] ^= word;
    w[2] ^= word;
    w[3] ^= word;
    std::memcpy(data + i, w, sizeof w);
  }
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, data + i, sizeof w);
    w ^= word;
    std::memcpy(data + i, &w, sizeof w);
  }
  for (; i < n; ++i) data[i] ^= pattern[i & 7];
}

void append_frame(std::string& out, Opcode op, std::string_view payload, bool fin,
                  std::optional<std::uint32_t> mask, bool rsv1) {
  FrameHeader h;
  h.fin = fin;
  h.rsv1 = rsv1;
  h.opcode = op;
  h.masked = mask.has_value();
  h.mask = mask.value_or(0);
  h.payload_length = payload.size();
  std::uint8_t header[max_header_bytes];
  const std::size_t header_len = encode_header(h, header);

  out.reserve(out.size() + header_len + payload.size());
  out.append(reinterpret_cast<const char*>(header), header_len);
  const std::size_t payload_start = out.size();
  out.append(payload);
  if (mask) {
    apply_mask(reinterpret_cast<std::uint8_t*>(out.data()) + payload_start, payload.size(), *mask);
  }
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
  assert(reason.size() <= 123);
  std::string out;
  out.reserve(2 + reason.size());
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xFF));
  out.append(reason);
  return out;
}

bool is_valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  constexpr std::uint64_t high_bits = 0x8080808080808080ULL;
  while (p != end) {
    while (end - p >= 16) {
      std::uint64_t a, b;
      std::memcpy(&a, p, 8);
      std::memcpy(&b, p + 8, 8);
      if ((a | b) & high_bits) break;
      p += 16;
    }
    // Skip the ASCII prefix of the next word straight to its first non-ASCII byte.
    if (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      const std::uint64_t high = w & high_bits;
      if (high == 0) {
        p += 8;
        continue;
      }
      p += (std::endian::native == std::endian::little ? std::countr_zero(high)
                                                       : std::countl_zero(high)) /
           8;
    }
    if (p == end) break;
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    const std::ptrdiff_t left = end - p;
    if (c < 0xC2) return false;  // stray continuation byte or overlong 2-byte form
    if (c < 0xE0) {
      if (left < 2 || !is_continuation_byte(p[1])) return false;
      p += 2;
    } else if (c < 0xF0) {
      // E0 needs A0..BF next (no overlongs); ED needs 80..9F (no surrogates).
      const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
      const unsigned char hi = c == 0xED ? 0x9F : 0xBF;
      if (left < 3 || p[1] < lo || p[1] > hi || !is_continuation_byte(p[2])) return false;
      p += 3;
    } else if (c < 0xF5) {
      // F0 needs 90..BF next (no overlongs); F4 needs 80..8F (nothing above U+10FFFF).
      const unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
      const unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;
      if (left < 4 || p[1] < lo || p[1] > hi || !is_continuation_byte(p[2]) ||
          !is_continuation_byte(p[3])) {
        return false;
      }
      p += 4;
    } else {
      return false;
    }
  }
  return true;
}

Decoder::Decoder(Handler& handler, Role role, std::size_t max_message_bytes, bool allow_rsv1)
    : handler_(handler),
      role_(role),
      allow_rsv1_(allow_rsv1),
      max_message_bytes_(max_message_bytes) {}

std::error_code Decoder::feed(std::string_view bytes) {
  if (error_) return error_;
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const auto* const end = p + bytes.size();

  while (p != end && !closed_) {
    if (state_ == State::header) {
      const std::uint8_t* header;
      const auto avail = static_cast<std::size_t>(end - p);
      if (header_len_ == 0 && avail >= 2 && avail >= header_size(p[1])) {
        if (auto ec = check_prefix(p[0], p[1])) return fail(ec);
        header = p;
        p += header_size(p[1]);
      } else {
        if (header_len_ < 2) {
          header_buf_[header_len_++] = *p++;
          if (header_len_ < 2) continue;
          if (auto ec = check_prefix(header_buf_[0], header_buf_[1])) return fail(ec);
        }
        const std::size_t need = header_size(header_buf_[1]);
        const std::size_t take = std::min(need - header_len_, static_cast<std::size_t>(end - p));
        std::memcpy(header_buf_.data() + header_len_, p, take);
        header_len_ += take;
        p += take;
        if (header_len_ < need) continue;
        header = header_buf_.data();
        header_len_ = 0;
      }
      if (auto ec = begin_frame(header)) return fail(ec);
      if (frame_.payload_length == 0) {
        if (auto ec = end_frame()) return fail(ec);
      }
      continue;
    }

    const std::uint64_t remaining = frame_.payload_length - frame_pos_;
    const auto avail = static_cast<std::size_t>(end - p);
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, avail));

    if (is_control(frame_.opcode)) {
      if (!control_) control_ = std::make_unique<std::array<std::uint8_t, 125>>();
      std::uint8_t* dst = control_->data() + frame_pos_;
      std::memcpy(dst, p, take);
      if (frame_.masked) apply_mask(dst, take, frame_.mask, frame_pos_);
    } else if (frame_pos_ == 0 && take == remaining && frame_.fin && !frame_.masked &&
               frame_.opcode != Opcode::continuation) {
      // The whole unfragmented message is in the caller's buffer: deliver it in place.
      state_ = State::header;
      const std::string_view payload(reinterpret_cast<const char*>(p), take);
      p += take;
      if (auto ec = deliver(payload)) return fail(ec);
      continue;
    } else {
      if (frame_pos_ == 0) {
        const std::size_t needed = message_.size() + frame_.payload_length;
        if (needed > message_.capacity()) {
          message_.reserve(std::max(needed, 2 * message_.capacity()));
        }
      }
      const std::size_t old_size = message_.size();
      message_.append(reinterpret_cast<const char*>(p), take);
      if (frame_.masked) {
        apply_mask(reinterpret_cast<std::uint8_t*>(message_.data()) + old_size, take, frame_.mask,
                   frame_pos_);
      }
    }
    p += take;
    frame_pos_ += take;
    if (frame_pos_ == frame_.payload_length) {
      if (auto ec = end_frame()) return fail(ec);
    }
  }
  return {};
}

std::error_code Decoder::check_prefix(std::uint8_t b0, std::uint8_t b1) const noexcept {
  if (b0 & 0x30) return FrameError::reserved_bits;
  const std::uint8_t op = b0 & 0x0F;
  if ((op >= 3 && op <= 7) || op >= 11) return FrameError::reserved_opcode;
  const bool control = (op & 0x8) != 0;
  if ((b0 & 0x40) && (!allow_rsv1_ || control || op == 0)) return FrameError::reserved_bits;
  if (((b1 & 0x80) != 0) != (role_ == Role::server)) return FrameError::mask_mismatch;
  if (control) {
    if (!(b0 & 0x80)) return FrameError::control_fragmented;
    if ((b1 & 0x7F) > 125) return FrameError::control_too_long;
  } else if (op == 0) {
    if (!in_message_) return FrameError::unexpected_continuation;
  } else if (in_message_) {
    return FrameError::expected_continuation;
  }
  return {};
}

std::error_code Decoder::begin_frame(const std::uint8_t* header) {
  const std::uint8_t b0 = header[0];
  const std::uint8_t b1 = header[1];
  std::uint64_t length = b1 & 0x7F;
  std::size_t pos = 2;
  if (length == 126) {
    length = load_be(header + 2, 2);
    pos = 4;
    if (length < 126) return FrameError::bad_length;
  } else if (length == 127) {
    length = load_be(header + 2, 8);
    pos = 10;
    if ((length >> 63) != 0 || length <= 0xFFFF) return FrameError::bad_length;
  }

  frame_.fin = (b0 & 0x80) != 0;
  frame_.rsv1 = (b0 & 0x40) != 0;
  frame_.opcode = static_cast<Opcode>(b0 & 0x0F);
  frame_.masked = (b1 & 0x80) != 0;
  frame_.mask = frame_.masked ? static_cast<std::uint32_t>(load_be(header + pos, 4)) : 0;
  frame_.payload_length = length;

  if (!is_control(frame_.opcode)) {
    if (length > max_message_bytes_ - message_.size()) return FrameError::message_too_big;
    if (frame_.opcode != Opcode::continuation) {
      message_opcode_ = frame_.opcode;
      message_compressed_ = frame_.rsv1;
    }
    in_message_ = !frame_.fin;
  }
  frame_pos_ = 0;
  state_ = State::payload;
  return {};
}

std::error_code Decoder::end_frame() {
  state_ = State::header;
  if (is_control(frame_.opcode)) {
    // An empty control frame may never have allocated the buffer (length 0: no read).
    const std::string_view payload(
        control_ ? reinterpret_cast<const char*>(control_->data()) : "",
        static_cast<std::size_t>(frame_.payload_length));
    if (frame_.opcode == Opcode::close) {
      if (payload.size() == 1) return FrameError::bad_close_payload;
      if (payload.size() >= 2) {
        const auto code = static_cast<std::uint16_t>(
            load_be(reinterpret_cast<const std::uint8_t*>(payload.data()), 2));
        if (!is_valid_close_code(code) || !is_valid_utf8(payload.substr(2))) {
          return FrameError::bad_close_payload;
        }
      }
      closed_ = true;
    }
    handler_.on_control(frame_.opcode, payload);
    return {};
  }
  if (!frame_.fin) return {};
  const std::error_code ec = deliver(message_);
  if (message_.capacity() > retained_buffer_bytes) {
    std::string().swap(message_);
  } else {
    message_.clear();
  }
  return ec;
}

std::error_code Decoder::deliver(std::string_view payload) {
  if (message_opcode_ == Opcode::text && !message_compressed_ && !is_valid_utf8(payload)) {
    return FrameError::invalid_utf8;
  }
  handler_.on_message(message_opcode_, payload, message_compressed_);
  return {};
}

std::error_code Decoder::fail(std::error_code ec) {
  error_ = ec;
  std::string().swap(message_);
  return ec;
}

}  // namespace pushbench::ws
