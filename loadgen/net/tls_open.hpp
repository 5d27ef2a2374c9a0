#pragma once
// The TLS step of opening a load-generator connection, written once for the clients, the chat
// POST channel and tap: SNI and the certificate name, the handshake, and the ALPN check.
#include <functional>
#include <optional>
#include <string>

#include "core/net/conn_stream.hpp"

namespace pushbench::loadgen {

/// Why a client TLS connection is not usable.
struct TlsOpenFailure {
  bool alpn = false;           ///< the handshake succeeded, but ALPN selected another protocol
  bool verify_failed = false;  ///< the peer certificate failed verification (a retry fails too)
  std::string cause;           ///< the handshake error text, or the ALPN mismatch in words
};

/// Called once: nullopt when the TLS session is up and speaks the protocol asked.
using TlsOpened = std::function<void(std::optional<TlsOpenFailure>)>;

/// Handshakes `tls` (TCP already connected) as a client of `host` (see tls::prepare_client), then
/// checks that ALPN selected "h2" (`h2`) or "http/1.1" or nothing (see tls::alpn_mismatch).
/// `tls` must outlive the handshake, also when it is closed early: the handler reads its state.
/// Callers that may have moved on (closed, reconnected) guard `done` themselves.
void async_tls_open(ConnStream::TlsStream& tls, const std::string& host, bool h2, TlsOpened done);

}  // namespace pushbench::loadgen
