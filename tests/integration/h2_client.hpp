#pragma once
// A minimal HTTP/2 client for the integration tests (raw nghttp2 over a loopback socket: every
// frame it sends is what the test asked for) and request helpers. Shared by h2_test.cpp and
// h2_conformance_test.cpp.
#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pushbench::test {

using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;

/// True while `pid` exists and is not a zombie.
inline bool process_alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return false;
  const auto rp = stat.rfind(')');
  return rp != std::string::npos && rp + 2 < stat.size() && stat[rp + 2] != 'Z';
}

struct H2ClientOptions {
  /// No client-side HTTP checks: requests go out exactly as written.
  bool no_http_messaging = false;
  /// No automatic WINDOW_UPDATE: the consume policy decides per DATA chunk.
  bool manual_window = false;
  /// Stream ids whose DATA is consumed at stream level (the rest only at connection level).
  std::vector<std::int32_t> consume_streams = {};
};

/// A minimal HTTP/2 client over a plain loopback socket: every frame it sends is what the test
/// asked for, and it records what came back per stream.
class H2Client {
 public:
  struct Stream {
    int status = 0;
    std::string data;
    bool ended = false;  ///< the server ended its side (END_STREAM) or the stream closed
    bool closed = false;
    std::uint32_t close_error = 0;
    std::optional<std::uint32_t> rst;  ///< error code of an RST_STREAM from the server
  };
  using Options = H2ClientOptions;

  explicit H2Client(std::uint16_t port, Options opt = {}) : opt_(std::move(opt)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("connect failed");
    }
    nghttp2_session_callbacks* cbs = nullptr;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_header_callback(cbs, &on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &on_stream_close);
    nghttp2_option* option = nullptr;
    nghttp2_option_new(&option);
    if (opt_.no_http_messaging) nghttp2_option_set_no_http_messaging(option, 1);
    if (opt_.manual_window) nghttp2_option_set_no_auto_window_update(option, 1);
    nghttp2_session_client_new2(&session_, cbs, this, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(cbs);
    nghttp2_settings_entry s[] = {{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 65535},
                                  {NGHTTP2_SETTINGS_ENABLE_PUSH, 0}};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, s, 2);
  }
  ~H2Client() {
    nghttp2_session_del(session_);
    ::close(fd_);
  }
  H2Client(const H2Client&) = delete;
  H2Client& operator=(const H2Client&) = delete;

  /// Submits a request; `end_stream` false leaves the client's side open (extended CONNECT).
  /// Returns the stream id, or a negative nghttp2 error.
  std::int32_t request(const Headers& headers, bool end_stream = true) {
    const auto nva = to_nva(headers);
    const std::int32_t id =
        nghttp2_submit_headers(session_, end_stream ? NGHTTP2_FLAG_END_STREAM : NGHTTP2_FLAG_NONE,
                               -1, nullptr, nva.data(), nva.size(), nullptr);
    if (id > 0) streams[id];
    return id;
  }

  /// Submits a request with `body` as its DATA (then END_STREAM). Returns the stream id.
  std::int32_t request_with_body(const Headers& headers, std::string body) {
    const auto nva = to_nva(headers);
    auto provider = own_data(std::move(body), &read_body<NGHTTP2_DATA_FLAG_EOF>);
    const auto id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), &provider,
                                           nullptr);
    if (id > 0) streams[id];
    return id;
  }
  /// Sends DATA `bytes` on an open stream (an extended CONNECT tunnel), without END_STREAM.
  void send_data(std::int32_t id, std::string bytes) {
    auto provider = own_data(
        std::move(bytes), &read_body<NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM>);
    nghttp2_submit_data(session_, NGHTTP2_FLAG_NONE, id, &provider);
  }

  /// Exchanges frames until `done()` holds, the connection ends, or `limit` passes.
  bool pump_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!send_pending()) return done();
      if (done()) return true;
      if (dead) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 10) <= 0) continue;
      char buf[64 << 10];
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        dead = true;
        return done();
      }
      if (nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(buf),
                                   static_cast<std::size_t>(n)) < 0) {
        dead = true;
        return done();
      }
      apply_consumption();
    }
    return done();
  }
  void pump_for(std::chrono::milliseconds d) { pump_until([] { return false; }, d); }

  bool wait_settings() { return pump_until([this] { return settings_received; }); }
  bool wait_ended(std::int32_t id) {
    return pump_until([this, id] { return streams[id].ended; });
  }
  std::uint32_t remote_setting(nghttp2_settings_id id) const {
    return nghttp2_session_get_remote_settings(session_, id);
  }

  std::map<std::int32_t, Stream> streams;
  bool settings_received = false;
  std::optional<std::uint32_t> goaway_error;
  bool dead = false;  ///< the socket closed or nghttp2 failed

 private:
  static H2Client& self(void* p) { return *static_cast<H2Client*>(p); }

  /// nghttp2's view of `headers` (pointing into it).
  static std::vector<nghttp2_nv> to_nva(const Headers& headers) {
    std::vector<nghttp2_nv> nva;
    for (const auto& [n, v] : headers) {
      nva.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(n.data())),
                     reinterpret_cast<std::uint8_t*>(const_cast<char*>(v.data())), n.size(),
                     v.size(), NGHTTP2_NV_FLAG_NONE});
    }
    return nva;
  }
  /// A data provider over `bytes`, kept alive by the client.
  nghttp2_data_provider own_data(std::string bytes, nghttp2_data_source_read_callback read) {
    bodies_.push_back(std::make_unique<std::string>(std::move(bytes)));
    nghttp2_data_provider provider{};
    provider.source.ptr = bodies_.back().get();
    provider.read_callback = read;
    return provider;
  }
  /// Reads a body kept by own_data(); sets `EofFlags` once it is all sent.
  template <std::uint32_t EofFlags>
  static ssize_t read_body(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t len,
                           std::uint32_t* flags, nghttp2_data_source* src, void*) {
    auto& b = *static_cast<std::string*>(src->ptr);
    const auto n = std::min(len, b.size());
    std::memcpy(buf, b.data(), n);
    b.erase(0, n);
    if (b.empty()) *flags |= EofFlags;
    return static_cast<ssize_t>(n);
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* f, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t, void* p) {
    if (f->hd.type != NGHTTP2_HEADERS) return 0;
    if (std::string_view(reinterpret_cast<const char*>(name), namelen) == ":status") {
      self(p).streams[f->hd.stream_id].status =
          std::stoi(std::string(reinterpret_cast<const char*>(value), valuelen));
    }
    return 0;
  }
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* f, void* p) {
    auto& c = self(p);
    if (f->hd.type == NGHTTP2_SETTINGS && !(f->hd.flags & NGHTTP2_FLAG_ACK)) {
      c.settings_received = true;
    } else if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) &&
               (f->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
      c.streams[f->hd.stream_id].ended = true;
    } else if (f->hd.type == NGHTTP2_RST_STREAM) {
      c.streams[f->hd.stream_id].rst = f->rst_stream.error_code;
    } else if (f->hd.type == NGHTTP2_GOAWAY) {
      c.goaway_error = f->goaway.error_code;
    }
    return 0;
  }
  static int on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t id,
                           const std::uint8_t* data, std::size_t len, void* p) {
    auto& c = self(p);
    c.streams[id].data.append(reinterpret_cast<const char*>(data), len);
    if (c.opt_.manual_window) c.pending_.emplace_back(id, len);
    return 0;
  }
  static int on_stream_close(nghttp2_session*, std::int32_t id, std::uint32_t error_code,
                             void* p) {
    auto& s = self(p).streams[id];
    s.closed = true;
    s.ended = true;
    s.close_error = error_code;
    return 0;
  }

  void apply_consumption() {
    for (const auto& [id, len] : pending_) {
      const bool stream_level = std::find(opt_.consume_streams.begin(), opt_.consume_streams.end(),
                                          id) != opt_.consume_streams.end();
      if (stream_level) {
        nghttp2_session_consume(session_, id, len);
      } else {
        nghttp2_session_consume_connection(session_, len);
      }
    }
    pending_.clear();
  }

  /// Writes everything nghttp2 has to send; false once the session is over.
  bool send_pending() {
    for (;;) {
      const std::uint8_t* data = nullptr;
      const auto n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) {
        dead = true;
        return false;
      }
      if (n == 0) break;
      std::size_t off = 0;
      while (off < static_cast<std::size_t>(n)) {
        const auto w = ::send(fd_, data + off, static_cast<std::size_t>(n) - off, MSG_NOSIGNAL);
        if (w <= 0) {
          dead = true;
          return false;
        }
        off += static_cast<std::size_t>(w);
      }
    }
    if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) {
      dead = true;
      return false;
    }
    return true;
  }

  Options opt_;
  int fd_ = -1;
  nghttp2_session* session_ = nullptr;
  std::vector<std::pair<std::int32_t, std::size_t>> pending_;
  std::vector<std::unique_ptr<std::string>> bodies_;  ///< request bodies being sent
};

inline std::string authority(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

inline Headers get(std::uint16_t port, const std::string& path) {
  return {{":method", "GET"}, {":scheme", "http"}, {":authority", authority(port)},
          {":path", path}};
}

inline Headers ws_connect(std::uint16_t port, const std::string& path, const std::string& protocol) {
  return {{":method", "CONNECT"},     {":protocol", protocol}, {":scheme", "http"},
          {":authority", authority(port)}, {":path", path},     {"sec-websocket-version", "13"}};
}

/// GET /health on a new connection answers 200 {"ok":true}.
inline void expect_health(std::uint16_t port) {
  H2Client c(port);
  const auto id = c.request(get(port, "/health"));
  ASSERT_GT(id, 0);
  ASSERT_TRUE(c.wait_ended(id));
  EXPECT_EQ(c.streams[id].status, 200);
  EXPECT_NE(c.streams[id].data.find("\"ok\":true"), std::string::npos) << c.streams[id].data;
}

inline nlohmann::json stats_over_h2(std::uint16_t port) {
  H2Client c(port);
  const auto id = c.request(get(port, "/stats"));
  if (id <= 0 || !c.wait_ended(id) || c.streams[id].status != 200) return {};
  return nlohmann::json::parse(c.streams[id].data);
}

}  // namespace pushbench::test
