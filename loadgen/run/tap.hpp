#pragma once
// `pushbench tap URL`: connects like a browser would and prints every event as one JSON line.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace pushbench::loadgen {

struct TapOptions {
  std::string url;                     ///< http(s)://, ws(s):// or tcp:// URL, used as given
  bool http2 = false;                  ///< HTTP/2 (prior knowledge, or ALPN h2 over TLS)
  std::optional<std::uint64_t> count;  ///< exit after this many events
  double timeout_s = 0;                ///< give up after this long (0: never)
  std::string ca_file;                 ///< verify the server's certificate against this PEM file
};

/// Prints {"type":..,"id":..,"data":..} per event to `out`. Returns 0 after `count` events or a
/// clean end of stream; otherwise writes a one-line error to `err` and returns 1.
int run_tap(const TapOptions& options, std::ostream& out, std::ostream& err);

}  // namespace pushbench::loadgen
