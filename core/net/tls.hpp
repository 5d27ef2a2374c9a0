// TLS contexts for the benchmark servers and the load generator: self-signed certificates,
// protocol-version floors and ALPN.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <openssl/ssl.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pushbench::tls {

/// A PEM certificate and its private key.
struct CertPair {
  std::string cert_pem;  ///< "-----BEGIN CERTIFICATE-----" block
  std::string key_pem;   ///< unencrypted PKCS#8 "-----BEGIN PRIVATE KEY-----" block
};

/// Generates a self-signed certificate for loopback benchmarks: EC P-256 key, X.509 v3, random
/// 159-bit serial, valid from now-1h for `days` days, subject and issuer CN=`common_name`,
/// subjectAltName DNS:localhost, IP:127.0.0.1, IP:::1, basicConstraints CA:FALSE, extended key
/// usage serverAuth, signed with ECDSA-SHA256. Throws std::invalid_argument when `common_name` is
/// empty or longer than 64 bytes or `days` < 1, std::runtime_error with the OpenSSL error text when
/// OpenSSL fails.
CertPair generate_self_signed(std::string_view common_name = "localhost", int days = 7);

/// Server TLS settings.
struct ServerOptions {
  std::string cert_file;          ///< PEM certificate chain, leaf first; empty: generate one at start-up
  std::string key_file;           ///< PEM private key (required when cert_file is set, and only then)
  bool allow_tls12 = false;       ///< minimum version TLS 1.2 instead of TLS 1.3
  std::vector<std::string> alpn;  ///< protocols the server accepts, in server preference order, e.g. {"h2","http/1.1"}
};

/// Builds a server context (no client certificates, SSL_OP_NO_COMPRESSION). With ALPN: the server
/// picks its most preferred protocol that the client offers; when the client offers ALPN but none
/// overlaps, the handshake continues without ALPN (the connection is then HTTP/1.1). The ALPN list
/// lives as long as the underlying SSL_CTX, so connections may outlive the returned pointer.
/// Throws std::runtime_error naming the problem ("cannot read certificate file X: <reason>",
/// "cannot read key file X: <reason>", "certificate and key do not match",
/// "--key is required with --cert", "--cert is required with --key") and std::invalid_argument
/// when an ALPN protocol name is empty or longer than 255 bytes.
std::shared_ptr<boost::asio::ssl::context> make_server_context(const ServerOptions& options);

/// Client context: TLS 1.3 minimum unless `allow_tls12`, SSL_OP_NO_COMPRESSION, ALPN offering
/// `alpn` in order (no ALPN extension when empty). With an empty `ca_file`, no certificate
/// verification (loopback benchmarks against self-signed certificates); otherwise the server's
/// chain must lead to a certificate of the PEM file `ca_file` (any of them is a trust anchor,
/// root or not), and prepare_client() adds the name check. Throws std::invalid_argument when a protocol name is empty or longer than 255 bytes,
/// std::runtime_error when `ca_file` cannot be read ("cannot read CA file X: <reason>") or OpenSSL
/// fails.
std::shared_ptr<boost::asio::ssl::context> make_client_context(const std::vector<std::string>& alpn,
                                                               bool allow_tls12 = false,
                                                               const std::string& ca_file = {});

/// Before a client handshake to `host` (a DNS name or an IP address, no brackets): sets SNI for a
/// name (RFC 6066 has no SNI for addresses) and, when the context verifies peers, requires the
/// certificate to name `host` (DNS subjectAltName, or IP subjectAltName for an address); when
/// OpenSSL cannot take that name, no certificate is accepted. One trailing dot of a name is
/// dropped.
void prepare_client(SSL* ssl, const std::string& host);

/// `message` (a failed handshake's error text) with the certificate verification result appended
/// when verification failed, e.g. "certificate verify failed (SSL routines): hostname mismatch".
std::string handshake_error_text(const SSL* ssl, const std::string& message);

/// After a client handshake that offered ALPN "h2" (`h2`) or "http/1.1": nullopt when the server
/// selected what was asked (for http/1.1 also no ALPN at all), else the reason in words (the
/// protocol it selected).
std::optional<std::string> alpn_mismatch(const SSL* ssl, bool h2);

/// The ALPN protocol the handshake selected ("" when none, or when `ssl` is null).
std::string negotiated_alpn(const SSL* ssl);

/// "TLSv1.3", "TLSv1.2", ... of an established connection ("" when `ssl` is null).
std::string version_name(const SSL* ssl);

}  // namespace pushbench::tls
