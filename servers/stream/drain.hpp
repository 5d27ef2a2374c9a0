#pragma once
// Graceful shutdown: every live connection of a thread is enlisted here, and when the server is
// told to stop each is asked to end cleanly (HTTP/2 GOAWAY NO_ERROR, WebSocket close 1001, the
// last SSE chunk) before the thread's io_context stops.
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace pushbench::server {

/// A connection that can end itself cleanly on shutdown.
class Drainable {
 public:
  virtual ~Drainable() = default;
  /// The server is shutting down: end the connection with the protocol's own goodbye, flush it,
  /// then close. Called once, on the connection's thread.
  virtual void go_away() = 0;
};

/// The live connections of one thread; used only on that thread.
class DrainSet {
 public:
  /// Enlists `conn` and returns its key for remove(). While draining, `conn` is asked to go
  /// away at once (from a posted handler, not from inside this call).
  std::uint64_t add(std::weak_ptr<Drainable> conn);
  /// Forgets the connection enlisted under `key` (from its destructor).
  void remove(std::uint64_t key) { live_.erase(key); }
  /// Connections enlisted and not yet destroyed.
  std::size_t size() const { return live_.size(); }
  /// Asks every live connection to go away; later add()s are asked as they come, from a
  /// handler posted to `ioc` (the thread's io_context).
  void go_away_all(boost::asio::io_context& ioc);

 private:
  boost::asio::io_context* ioc_ = nullptr;  ///< set by go_away_all(): draining
  std::unordered_map<std::uint64_t, std::weak_ptr<Drainable>> live_;  ///< by key
  std::uint64_t next_key_ = 1;                                        ///< the key of the next add()
};

/// A connection's membership of its thread's DrainSet: enlist() once it is owned by a
/// shared_ptr, and the destructor leaves the set.
class DrainEntry {
 public:
  DrainEntry() = default;
  DrainEntry(const DrainEntry&) = delete;
  DrainEntry& operator=(const DrainEntry&) = delete;
  ~DrainEntry() {
    if (set_) set_->remove(key_);
  }
  /// Joins `set` (a second call is ignored).
  void enlist(DrainSet& set, std::weak_ptr<Drainable> conn) {
    if (set_) return;
    set_ = &set;
    key_ = set.add(std::move(conn));
  }

 private:
  DrainSet* set_ = nullptr;  ///< the set joined, or null
  std::uint64_t key_ = 0;    ///< this connection's key in set_
};

}  // namespace pushbench::server
