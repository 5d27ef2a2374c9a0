#include "loadgen/protocol/http_response_reader.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace pushbench::loadgen {

namespace http = boost::beast::http;

HttpResponseReader::HttpResponseReader(std::size_t header_limit, BodyFn on_body)
    : on_body_(std::move(on_body)) {
  this->header_limit(static_cast<std::uint32_t>(header_limit));
  this->body_limit(boost::none);
  this->eager(true);
}

void HttpResponseReader::on_field_impl(http::field name, boost::beast::string_view,
                                       boost::beast::string_view value,
                                       boost::beast::error_code&) {
  const std::string v(value.data(), value.size());
  switch (name) {
    case http::field::content_type: content_type_ = v; break;
    case http::field::upgrade: upgrade_ = v; break;
    case http::field::sec_websocket_accept: ws_accept_ = v; break;
    case http::field::sec_websocket_extensions: ws_extensions_ = v; break;
    case http::field::content_encoding: content_encoding_ = v; break;
    case http::field::via: peer_.via += (peer_.via.empty() ? "" : ", ") + v; break;
    case http::field::server: peer_.server = v; break;
    default: break;
  }
}

std::size_t HttpResponseReader::on_body_impl(boost::beast::string_view body,
                                             boost::beast::error_code& ec) {
  body_error_ = on_body_(std::string_view(body.data(), body.size()));
  if (body_error_) ec = http::error::bad_value;  // stops the parser; body_error_ says why
  return body.size();
}

std::size_t HttpResponseReader::feed(std::string_view bytes, std::error_code& ec) {
  ec.clear();
  // Parse straight from `bytes` when nothing is pending; keep only an unconsumed tail.
  std::string_view input = bytes;
  if (!pending_.empty()) {
    pending_.append(bytes);
    input = pending_;
  }
  std::size_t consumed = 0;
  while (consumed < input.size() && !is_done()) {
    boost::beast::error_code bec;
    const auto n = put(boost::asio::buffer(input.data() + consumed, input.size() - consumed), bec);
    consumed += n;
    if (body_error_) {
      ec = body_error_;
      return bytes.size();
    }
    if (bec == http::error::need_more) break;
    if (bec) {
      ec = bec;
      return bytes.size();
    }
    if (n == 0) break;
  }
  const std::size_t leftover = input.size() - consumed;
  if (is_done()) {
    // Whatever follows a complete header-only response is the next protocol's.
    const std::size_t used = bytes.size() - std::min(leftover, bytes.size());
    pending_.clear();
    return used;
  }
  std::string tail(input.substr(consumed));
  pending_ = std::move(tail);
  return bytes.size();
}

std::error_code HttpResponseReader::on_eof() {
  if (is_done()) return {};
  boost::beast::error_code ec;
  put_eof(ec);
  if (ec) return ec;
  return {};
}

}  // namespace pushbench::loadgen
