#pragma once
// What every connection of pushbench-server sees: the configuration, its thread's counters and
// shared registries. Below the codecs and carriers, so they need not know the Server.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "core/contract/event.hpp"
#include "core/contract/transport.hpp"
#include "servers/stream/drain.hpp"
#include "servers/stream/pacer_timers.hpp"

namespace boost::asio::ssl {
class context;
}

namespace pushbench::server {

struct ServerConfig {
  Transport transport = Transport::sse;  ///< the one transport this process serves
  std::string address = "127.0.0.1";     ///< listen address (loopback by default)
  std::uint16_t port = 0;                ///< 0 picks an ephemeral port
  unsigned threads = 1;                  ///< io_context threads; connections are spread round-robin
  std::size_t max_queue_bytes =
      4 << 20;  ///< per-connection send queue; a client beyond it is dropped
  std::size_t max_header_bytes = 8192;  ///< request header limit (431 beyond it)
  /// Until a connection is handed to HTTP/2, an event stream or a WebSocket: its TLS handshake,
  /// the preface sniff, each request and each plain response must complete within this, and so
  /// must the wait between keep-alive requests; else the connection is closed.
  std::chrono::milliseconds request_timeout{10000};
  std::size_t max_connections = 200000;      ///< connections beyond this are closed at accept
  std::size_t max_message_bytes = 64 << 10;  ///< largest message accepted from a WebSocket client
  bool compression = true;           ///< honour Accept-Encoding (SSE) and permessage-deflate
                                     ///< offers (WebSocket); off: always identity
  int deflate_level = 6;             ///< zlib level for gzip/deflate and permessage-deflate
  int deflate_window_bits = 15;      ///< 9..15: SSE window; WS server_max_window_bits
  int deflate_mem_level = 8;         ///< 1..9
  bool sse_reset_per_event = false;  ///< SSE: full flush per event (no context takeover)
  bool pmd_server_no_context_takeover =
      false;  ///< WS: the server resets its compressor per message
  bool pmd_client_no_context_takeover = false;  ///< WS: ask the client to reset per message
  std::size_t pmd_min_size = 0;       ///< WS: messages smaller than this are sent uncompressed
  bool pmd_shared_broadcast = false;  ///< WS: compress each broadcast event once for every
                                      ///< subscriber without context takeover
  bool ws_pmd_beast = false;          ///< WS over cleartext HTTP/1.1: Beast's permessage-deflate
                                      ///< (one message per write) instead of our framing
  std::shared_ptr<const PayloadLines> payload_lines;  ///< --payload-file lines (payload=file)
  /// Fault injection for validating measurements: every `stall_every_ms`, each I/O thread blocks
  /// for `stall_ms` (as a GC pause would). Events keep their intended `ts`. 0 disables.
  unsigned stall_ms = 0;
  unsigned stall_every_ms = 1000;
  /// Timer coalescing: a paced stream's wake-up is rounded up to the next multiple of this on
  /// the realtime clock, so streams due within one slack share one wake-up. Events keep their
  /// intended `ts`, so the added delay (at most the slack) shows in the client's latency. 0: exact.
  std::chrono::microseconds timer_slack{0};
  /// TLS for every connection when set (ALPN chooses h2 or http/1.1); cleartext otherwise.
  std::shared_ptr<boost::asio::ssl::context> tls;
  bool http2 = true;  ///< accept HTTP/2: h2c prior knowledge, or ALPN h2
  std::uint32_t h2_max_concurrent_streams = 1000;  ///< SETTINGS_MAX_CONCURRENT_STREAMS
  std::uint64_t resume_history = 10000;            ///< events a resumed stream can replay
  std::size_t max_resumable_streams = 1 << 20;     ///< resumable stream ids remembered
  /// On stop (SIGINT/SIGTERM): how long connections get to send their goodbye (GOAWAY, close
  /// frame, last chunk) and close before the threads stop anyway.
  std::chrono::milliseconds shutdown_grace{1000};
};

/// Counters of one thread; written only by that thread (relaxed atomics so /stats can read them).
struct alignas(64) ThreadStats {
  std::atomic<std::uint64_t> accepted{0};  ///< connections accepted
  std::atomic<std::uint64_t> closed{0};    ///< connections closed (active = accepted - closed)
  std::atomic<std::uint64_t> streams_started{0};       ///< event streams begun
  std::atomic<std::uint64_t> streams_completed{0};     ///< streams that reached count/duration
  std::atomic<std::uint64_t> events_sent{0};           ///< events handed to a connection's queue
  std::atomic<std::uint64_t> bytes_queued{0};          ///< encoded bytes handed to queues
  std::atomic<std::uint64_t> slow_clients_dropped{0};  ///< connections dropped on a full queue
  std::atomic<std::uint64_t> stream_writes{0};  ///< writes of a stream connection's queue (HTTP/1.1
                                                ///< SSE, raw, WebSocket of our own framing): one
                                                ///< system call each in cleartext
  std::atomic<std::uint64_t> stream_partial_writes{0};  ///< of those, writes the kernel took only
                                                        ///< part of (the rest followed)
  std::atomic<std::uint64_t> stream_copied_writes{0};   ///< of those, writes of small messages
                                                        ///< copied into one buffer
  std::atomic<std::uint64_t> bad_requests{0};    ///< requests answered with an HTTP/handshake error
  std::atomic<std::uint64_t> io_errors{0};       ///< connections ended by an unexpected error
  std::atomic<std::uint64_t> tls_handshakes{0};  ///< completed TLS handshakes
  std::atomic<std::uint64_t> tls_failures{0};    ///< failed TLS handshakes
  std::atomic<std::uint64_t> h2_connections{0};  ///< connections that spoke HTTP/2
  std::atomic<std::uint64_t> h2_streams{0};      ///< HTTP/2 streams opened by clients
  std::atomic<std::uint64_t> h2_stream_errors{0};  ///< HTTP/2 streams refused or reset by us
  void add(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

/// The state shared by every connection on one thread.
struct ThreadContext {
  /// Opens the thread's pacer timer: a server that cannot fails at its start.
  ThreadContext() { pacer_timers.open(); }
  ~ThreadContext() { pacer_timers.shutdown(); }
  ThreadContext(const ThreadContext&) = delete;
  ThreadContext& operator=(const ThreadContext&) = delete;
  /// This thread's live connections, asked to go away on stop. Declared before `ioc`, so it
  /// outlives the handlers (and connections) the io_context destroys.
  DrainSet drain;
  /// The paced streams' timer (their pacers unregister as the io_context destroys them, so it
  /// is declared before `ioc`; its timer goes first, in the destructor).
  PacerTimers pacer_timers{ioc};
  /// Declared before `ioc` too: the connections the io_context destroys count their close.
  ThreadStats stats;
  boost::asio::io_context ioc{1};
  const ServerConfig* config = nullptr;
  class TopicRegistry* topics = nullptr;    ///< broadcast topics (shared by all threads)
  class ResumeRegistry* resumes = nullptr;  ///< resumable streams (shared by all threads)
  class EchoRegistry* echoes = nullptr;     ///< request-reply streams (shared by all threads)
  std::size_t index = 0;                    ///< thread number
  /// Scratch space of this thread's connections, used within one handler and never held across
  /// a wait, so that an idle subscription holds no buffer of its own: the event data a pacer
  /// produces, and the bytes a cleartext stream reads from its client.
  std::string event_scratch;
  std::array<char, 4096> read_scratch{};
  /// The whole server's counters, for /stats (set by the Server; callable on any thread).
  std::function<nlohmann::json()> server_stats;
};

}  // namespace pushbench::server
