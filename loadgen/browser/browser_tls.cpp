#include "loadgen/browser/browser_tls.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "core/net/tls.hpp"

namespace pushbench::loadgen {

namespace asio = boost::asio;

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(host, ec);
  return !ec && addr.is_loopback();
}

std::optional<std::string> peer_spki_sha256(const std::string& host, std::uint16_t port,
                                            std::string& error) {
  try {
    auto ctx = tls::make_client_context({"http/1.1"});
    asio::io_context ioc;
    asio::ssl::stream<asio::ip::tcp::socket> s(ioc, *ctx);
    asio::ip::tcp::resolver resolver(ioc);
    asio::connect(s.next_layer(), resolver.resolve(host, std::to_string(port)));
    timeval tv{5, 0};
    setsockopt(s.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(s.next_layer().native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    tls::prepare_client(s.native_handle(), host);
    s.handshake(asio::ssl::stream_base::client);
    X509* cert = SSL_get1_peer_certificate(s.native_handle());
    if (!cert) {
      error = "the server presented no certificate";
      return std::nullopt;
    }
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(X509_get0_pubkey(cert), &der);
    X509_free(cert);
    if (len <= 0) {
      error = "cannot encode the certificate's public key";
      return std::nullopt;
    }
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(der, static_cast<std::size_t>(len), digest);
    OPENSSL_free(der);
    unsigned char b64[64] = {};
    const int n = EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH);
    return std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n));
  } catch (const std::exception& e) {
    error = std::string("TLS handshake with ") + host + ":" + std::to_string(port) +
            " failed: " + e.what();
    return std::nullopt;
  }
}

}  // namespace pushbench::loadgen
