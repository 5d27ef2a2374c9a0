#pragma once
// Chromium accepts our servers' self-signed certificates only for loopback runs, and only the
// certificate the server presents now: --ignore-certificate-errors-spki-list with its key's hash.
#include <cstdint>
#include <optional>
#include <string>

namespace pushbench::loadgen {

/// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

/// base64(SHA-256(SubjectPublicKeyInfo)) of the certificate `host`:`port` presents in a TLS
/// handshake (no verification), as Chromium's --ignore-certificate-errors-spki-list takes it;
/// an error message when the handshake fails or takes longer than 5 s.
std::optional<std::string> peer_spki_sha256(const std::string& host, std::uint16_t port,
                                            std::string& error);

}  // namespace pushbench::loadgen
