#pragma once
// A byte-stream connection that writes queued, pre-encoded events with one gather write in flight
// and watches the read side for the client going away. Shared by the SSE/HTTP/1.1 and raw
// transports, which differ only in their preamble and framing.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/net/conn_stream.hpp"
#include "servers/stream/drain.hpp"
#include "servers/stream/event_stream.hpp"

namespace pushbench::server {

class StreamConnection : public EventSink,
                         public Drainable,
                         public std::enable_shared_from_this<StreamConnection> {
 public:
  StreamConnection(ThreadContext& ctx, ConnStream stream, StreamSpec spec);
  ~StreamConnection() override;

  SendResult send(SharedBuffer framed) override;
  void finish() override;
  /// Closes the connection at once (no last chunk, no close frame).
  void drop() override { close({}); }
  /// Shutdown: no more events; the stream ends as a finished one does (trailer, half-close).
  void go_away() override;
  /// Events sent until uncork() stay queued (see EventSink::cork).
  void cork() override { corked_ = true; }
  /// Starts the write of what the batch queued, unless one is in flight (it takes them next).
  void uncork() override;

 protected:
  /// Joins the thread's DrainSet (once the connection is owned by a shared_ptr; idempotent).
  void enlist() { drain_.enlist(ctx_.drain, weak_from_this()); }
  /// Queues `preamble` (may be empty), starts the read watch and the event stream; what was
  /// queued before (the response head, a retry field) is written only once the stream started.
  void begin_stream(std::string preamble);
  /// Bytes written after the last event of a finished stream (e.g. the last HTTP chunk).
  virtual std::string trailer() { return {}; }
  /// Queues bytes exactly as given (the write path under send()).
  SendResult enqueue(SharedBuffer bytes);
  /// Closes the connection at once, counting `ec` as an I/O error unless it is a normal close.
  void close(boost::system::error_code ec);
  /// Bytes the client sent while streaming; the default discards them. Return false to close.
  virtual bool on_client_bytes(std::string_view bytes) { return true; }

  ThreadContext& ctx_;
  ConnStream stream_;
  /// The stream's parameters until begin_stream() starts its events (then freed: the event
  /// source keeps what it needs).
  std::unique_ptr<StreamSpec> spec_;

 private:
  void do_write();
  void on_write(boost::system::error_code ec, std::size_t n);
  /// Cleartext: writes what is left of gather_ with one system call per attempt.
  void write_gathered();
  /// `n` bytes of gather_ went out: the rest follows, or the write is complete (on_write).
  void on_written_some(boost::system::error_code ec, std::size_t n);
  /// Watches the read side: a cleartext connection waits for readability (no buffer held while
  /// idle), TLS reads into tls_read_.
  void do_watch();
  /// The cleartext socket is readable: reads until it would block (at most 16 reads, then again
  /// from a posted handler) into the thread's scratch buffer.
  void on_readable();
  /// Hands bytes the client sent to on_client_bytes(), then watches again.
  void on_watched(std::string_view bytes);

  SendQueue queue_;
  std::vector<boost::asio::const_buffer> gather_;
  std::string flat_;  ///< small queued messages copied into one buffer for the write in flight
  std::size_t in_flight_ = 0;  ///< messages of the queue's front being written
  bool started_ = false;       ///< begin_stream() started the events: writes may go out
  bool finishing_ = false;     ///< end the stream once the queue is empty
  bool corked_ = false;        ///< sends are queued, not written, until uncork()
  bool closed_ = false;
  std::shared_ptr<EventSource> source_;
  /// TLS only: what the client sends, for on_client_bytes() (allocated on the first watch).
  std::unique_ptr<std::array<char, 512>> tls_read_;
  DrainEntry drain_;  ///< membership of the thread's DrainSet
};

}  // namespace pushbench::server
