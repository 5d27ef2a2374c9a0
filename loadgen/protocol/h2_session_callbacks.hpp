#pragma once
// The nghttp2 callbacks of an H2Session: they route frames, headers and data to its streams.
// Included by h2_session.cpp only.
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>

#include "loadgen/protocol/errors.hpp"
#include "loadgen/protocol/h2_session.hpp"
#include "loadgen/protocol/h2_session_stream.hpp"

namespace pushbench::loadgen {

namespace h2_detail {

/// The largest response header value accepted.
inline constexpr std::size_t kMaxHeaderValue = 16 << 10;

inline std::string_view view(const std::uint8_t* p, std::size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}

}  // namespace h2_detail

/// nghttp2 callbacks: noexcept wrappers that keep handler exceptions out of C.
struct H2Session::Callbacks {
  template <class F>
  static int guarded(void* user_data, F&& f) noexcept {
    auto& self = *static_cast<H2Session*>(user_data);
    try {
      return f(self);
    } catch (...) {
      self.pending_exception_ = std::current_exception();
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
  }

  static Stream* stream(nghttp2_session* s, std::int32_t id) {
    return static_cast<Stream*>(nghttp2_session_get_stream_user_data(s, id));
  }

  static int on_header(nghttp2_session* s, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t, void* user_data) noexcept {
    return guarded(user_data, [&](H2Session& self) {
      if (frame->hd.type != NGHTTP2_HEADERS) return 0;
      Stream* st = stream(s, frame->hd.stream_id);
      if (!st || st->accepted || st->done()) return 0;
      if (valuelen > h2_detail::kMaxHeaderValue) {
        self.fail_stream(*st, LoadErrc::protocol_error);
        return 0;
      }
      const auto n = h2_detail::view(name, namelen);
      const auto v = h2_detail::view(value, valuelen);
      if (n == ":status") {
        st->status = 0;
        std::from_chars(v.data(), v.data() + v.size(), st->status);
      } else if (n == "content-type") {
        st->content_type = v;
      } else if (n == "content-encoding") {
        if (!st->content_encoding.empty()) st->content_encoding += ", ";
        st->content_encoding += v;
      } else if (n == "sec-websocket-extensions") {
        if (!st->extensions.empty()) st->extensions += ", ";
        st->extensions += v;
      } else if (n == "via" && !self.established_) {
        self.peer_.via += (self.peer_.via.empty() ? "" : ", ") + std::string(v);
      } else if (n == "server" && !self.established_) {
        self.peer_.server = v;
      }
      return 0;
    });
  }

  static int on_frame_recv(nghttp2_session* s, const nghttp2_frame* frame,
                           void* user_data) noexcept {
    return guarded(user_data, [&](H2Session& self) {
      switch (frame->hd.type) {
        case NGHTTP2_SETTINGS:
          if (!(frame->hd.flags & NGHTTP2_FLAG_ACK)) self.settings_received_ = true;
          return 0;
        case NGHTTP2_GOAWAY:
          self.goaway_received_.emplace(frame->goaway.error_code, frame->goaway.last_stream_id);
          if (frame->goaway.error_code == NGHTTP2_NO_ERROR) return 0;
          self.conn_error_ = LoadErrc::protocol_error;
          return static_cast<int>(NGHTTP2_ERR_CALLBACK_FAILURE);
        case NGHTTP2_HEADERS:
        case NGHTTP2_DATA: {
          Stream* st = stream(s, frame->hd.stream_id);
          if (!st) return 0;
          if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) st->remote_ended = true;
          if (frame->hd.type == NGHTTP2_HEADERS && !st->accepted && !st->done()) {
            self.accept_headers(*st);
          }
          if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) self.on_remote_end(*st);
          return 0;
        }
        case NGHTTP2_RST_STREAM:
          if (Stream* st = stream(s, frame->hd.stream_id)) {
            st->reset_code = frame->rst_stream.error_code;
          }
          return 0;
        default:
          return 0;
      }
    });
  }

  static int on_data_chunk(nghttp2_session* s, std::uint8_t, std::int32_t stream_id,
                           const std::uint8_t* data, std::size_t len, void* user_data) noexcept {
    return guarded(user_data, [&](H2Session& self) {
      Stream* st = stream(s, stream_id);
      if (self.slow_) {
        self.slow_->consume(s, st ? st->index : self.streams_.size(), stream_id, len);
      }
      if (st) self.on_data(*st, h2_detail::view(data, len));
      return 0;
    });
  }

  static ssize_t read_post(nghttp2_session*, std::int32_t id, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* data_flags, nghttp2_data_source*,
                           void* user_data) noexcept {
    auto& self = *static_cast<H2Session*>(user_data);
    const auto it = self.posts_.find(id);
    if (it == self.posts_.end()) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      return 0;
    }
    auto& [body, pos] = it->second;
    const std::size_t n = std::min(length, body.size() - pos);
    std::memcpy(buf, body.data() + pos, n);
    pos += n;
    if (pos == body.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  static int on_stream_close(nghttp2_session* s, std::int32_t stream_id, std::uint32_t,
                             void* user_data) noexcept {
    return guarded(user_data, [&](H2Session& self) {
      self.posts_.erase(stream_id);
      if (Stream* st = stream(s, stream_id)) {
        st->closed = true;
        if (st->refused) {
          self.fail_refused(*st);
        } else if (st->reset_code) {
          self.fail_stream(*st, LoadErrc::stream_reset,
                           "RST_STREAM " + std::string(nghttp2_http2_strerror(*st->reset_code)));
        } else {
          self.fail_stream(*st, LoadErrc::stream_reset);
        }
      }
      return 0;
    });
  }

  static int on_frame_send(nghttp2_session* s, const nghttp2_frame* frame,
                           void* user_data) noexcept {
    return guarded(user_data, [&](H2Session& self) {
      if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR) {
        if (!self.conn_error_) self.conn_error_ = LoadErrc::protocol_error;
      } else if (frame->hd.type == NGHTTP2_RST_STREAM) {
        // nghttp2 resets a stream itself when the response breaks HTTP/2 rules.
        if (Stream* st = stream(s, frame->hd.stream_id)) {
          self.fail_stream(*st, LoadErrc::protocol_error);
        }
      }
      return 0;
    });
  }

  static ssize_t read_tunnel(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t length,
                             std::uint32_t* data_flags, nghttp2_data_source* source,
                             void*) noexcept {
    auto& st = *static_cast<Stream*>(source->ptr);
    const std::size_t n = std::min(length, st.pending_out.size() - st.out_pos);
    if (n == 0 && !st.codec->upstream_done()) return NGHTTP2_ERR_DEFERRED;
    std::memcpy(buf, st.pending_out.data() + st.out_pos, n);
    st.out_pos += n;
    if (st.out_pos == st.pending_out.size()) {
      st.pending_out.clear();
      st.out_pos = 0;
      if (st.codec->upstream_done()) {
        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
        st.local_ended = true;
      }
    }
    return static_cast<ssize_t>(n);
  }
};

}  // namespace pushbench::loadgen
