#include "servers/ws_compressor.hpp"

#include "core/ws_frame.hpp"

namespace pushbench::server {

WsCompressor::WsCompressor(const ServerConfig& config, std::string_view offer)
    : min_size_(config.pmd_min_size) {
  if (!config.compression || offer.empty()) return;
  compress::PmdParams preferences;
  preferences.server_no_context_takeover = config.pmd_server_no_context_takeover;
  preferences.client_no_context_takeover = config.pmd_client_no_context_takeover;
  preferences.server_max_window_bits = config.deflate_window_bits;
  agreed_ = compress::negotiate_pmd_offer(offer, preferences);
  if (agreed_) {
    deflater_.emplace(*agreed_, false, config.deflate_level, config.deflate_mem_level);
  }
}

std::string WsCompressor::response() const {
  return agreed_ ? compress::make_pmd_response(*agreed_) : std::string();
}

SharedBuffer WsCompressor::frame(std::string_view data) {
  auto out = std::make_shared<std::string>();
  if (!deflater_ || data.size() < min_size_) {
    out->reserve(data.size() + ws::max_header_bytes);
    ws::append_frame(*out, ws::Opcode::text, data);
    return out;
  }
  if (deflater_->compress(data, compressed_)) return nullptr;
  out->reserve(compressed_.size() + ws::max_header_bytes);
  ws::append_frame(*out, ws::Opcode::text, compressed_, true, std::nullopt, true);
  return out;
}

SharedBuffer WsCompressor::frame_data(std::uint64_t, std::string_view data) {
  return std::make_shared<const std::string>(data);
}

}  // namespace pushbench::server
