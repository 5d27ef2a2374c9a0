#include "servers/codec/ws_compressor.hpp"

#include "core/codec/ws_frame.hpp"

namespace pushbench::server {

namespace {
/// The process's settings for frame_shared(), written once before any I/O thread starts.
struct SharedSettings {
  int level = 6;
  int window_bits = 15;
  int mem_level = 8;
  std::size_t min_size = 0;
};
SharedSettings shared_settings;
}  // namespace

void WsCompressor::configure_shared(const ServerConfig& config) {
  shared_settings = {config.deflate_level, config.deflate_window_bits, config.deflate_mem_level,
                     config.pmd_min_size};
}

SharedBuffer WsCompressor::frame_shared(std::uint64_t, std::string_view data) {
  auto out = std::make_shared<std::string>();
  if (data.size() < shared_settings.min_size) {
    ws::append_frame(*out, ws::Opcode::text, data);
    return out;
  }
  thread_local std::optional<compress::PmdDeflater> deflater;
  thread_local std::string compressed;
  if (!deflater) {
    compress::PmdParams p;
    p.server_no_context_takeover = true;
    p.server_max_window_bits = shared_settings.window_bits;
    deflater.emplace(p, false, shared_settings.level, shared_settings.mem_level);
  }
  if (deflater->compress(data, compressed)) {
    // Cannot happen with validated settings; an uncompressed frame is still a valid message.
    ws::append_frame(*out, ws::Opcode::text, data);
    return out;
  }
  ws::append_frame(*out, ws::Opcode::text, compressed, true, std::nullopt, true);
  return out;
}

WsCompressor::WsCompressor(const ServerConfig& config, std::string_view offer, bool broadcast)
    : min_size_(config.pmd_min_size), max_message_bytes_(config.max_message_bytes) {
  if (!config.compression || offer.empty()) return;
  compress::PmdParams preferences;
  preferences.server_no_context_takeover = config.pmd_server_no_context_takeover;
  preferences.client_no_context_takeover = config.pmd_client_no_context_takeover;
  preferences.server_max_window_bits = config.deflate_window_bits;
  const auto agreed = compress::negotiate_pmd_offer(offer, preferences);
  if (agreed) {
    agreed_ = std::make_unique<Agreed>(*agreed, config.deflate_level, config.deflate_mem_level);
    shared_ = broadcast && config.pmd_shared_broadcast && agreed->server_no_context_takeover &&
              agreed->server_max_window_bits == config.deflate_window_bits;
  }
}

std::optional<std::string_view> WsCompressor::message(std::string_view payload, bool compressed) {
  if (!compressed) return payload;
  if (!agreed_) return std::nullopt;
  auto& a = *agreed_;
  if (!a.inflater) a.inflater.emplace(a.params, false, max_message_bytes_);
  if (a.inflater->decompress(payload, a.inflated)) return std::nullopt;
  return std::string_view(a.inflated);
}

SharedBuffer WsCompressor::encode(SharedBuffer framed) {
  if (!agreed_ || shared_) return framed;
  return frame(*framed);
}

std::string WsCompressor::response() const {
  return agreed_ ? compress::make_pmd_response(agreed_->params) : std::string();
}

SharedBuffer WsCompressor::frame(std::string_view data) {
  auto out = std::make_shared<std::string>();
  if (!agreed_ || data.size() < min_size_) {
    out->reserve(data.size() + ws::max_header_bytes);
    ws::append_frame(*out, ws::Opcode::text, data);
    return out;
  }
  auto& compressed = agreed_->compressed;
  if (agreed_->deflater.compress(data, compressed)) return nullptr;
  out->reserve(compressed.size() + ws::max_header_bytes);
  ws::append_frame(*out, ws::Opcode::text, compressed, true, std::nullopt, true);
  return out;
}

SharedBuffer WsCompressor::frame_data(std::uint64_t, std::string_view data) {
  return std::make_shared<const std::string>(data);
}

}  // namespace pushbench::server
