// async_tls_open (loadgen/net): the TLS step every load-generator connection shares, over a real
// loopback handshake against our server context: success, an ALPN the caller did not ask for,
// and a certificate that fails verification.
#include "loadgen/net/tls_open.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <unistd.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/net/tls.hpp"

namespace pushbench::loadgen {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// What async_tls_open reported, if it reported at all within the bound.
struct TlsOpenOutcome {
  bool called = false;                    ///< the handler ran
  std::optional<TlsOpenFailure> failure;  ///< its argument
};

/// Accepts one TLS connection with `server_alpn` and opens a client to it with async_tls_open.
TlsOpenOutcome open_over_loopback(const std::vector<std::string>& server_alpn,
                                  const std::vector<std::string>& client_alpn, bool h2,
                                  const std::string& ca_file = {}) {
  tls::ServerOptions options;
  options.alpn = server_alpn;
  auto server_ctx = tls::make_server_context(options);
  auto client_ctx = tls::make_client_context(client_alpn, false, ca_file);
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  ConnStream::TlsStream server(ioc, *server_ctx);
  ConnStream::TlsStream client(ioc, *client_ctx);
  acceptor.async_accept(server.next_layer(), [&](boost::system::error_code ec) {
    if (!ec)
      server.async_handshake(asio::ssl::stream_base::server, [](boost::system::error_code) {});
  });
  TlsOpenOutcome outcome;
  client.next_layer().async_connect(acceptor.local_endpoint(), [&](boost::system::error_code ec) {
    ASSERT_FALSE(ec) << ec.message();
    async_tls_open(client, "127.0.0.1", h2, [&](std::optional<TlsOpenFailure> failure) {
      outcome = {true, std::move(failure)};
      boost::system::error_code ignored;
      server.next_layer().close(ignored);
    });
  });
  ioc.run_for(std::chrono::seconds(5));
  return outcome;
}

/// The certificate of a freshly generated server context, as a PEM file: a CA that did not sign
/// the certificate of any other context.
std::string foreign_ca_file() {
  auto ctx = tls::make_server_context(tls::ServerOptions{});
  X509* cert = SSL_CTX_get0_certificate(ctx->native_handle());
  const std::string path = (std::filesystem::path(testing::TempDir()) /
                            ("pushbench-tls-open-ca-" + std::to_string(getpid()) + ".pem"))
                               .string();
  FILE* f = fopen(path.c_str(), "w");
  EXPECT_NE(f, nullptr);
  if (f) {
    PEM_write_X509(f, cert);
    fclose(f);
  }
  return path;
}

TEST(TlsOpen, SucceedsWhenAlpnSelectsWhatWasAsked) {
  auto h2 = open_over_loopback({"h2", "http/1.1"}, {"h2"}, true);
  ASSERT_TRUE(h2.called);
  EXPECT_FALSE(h2.failure) << h2.failure->cause;
  auto h1 = open_over_loopback({"http/1.1"}, {"http/1.1"}, false);
  ASSERT_TRUE(h1.called);
  EXPECT_FALSE(h1.failure) << h1.failure->cause;
}

TEST(TlsOpen, AnotherProtocolThanAskedIsAnAlpnFailure) {
  // The server speaks HTTP/1.1 only; the client offered both but needs h2.
  auto r = open_over_loopback({"http/1.1"}, {"h2", "http/1.1"}, true);
  ASSERT_TRUE(r.called);
  ASSERT_TRUE(r.failure);
  EXPECT_TRUE(r.failure->alpn);
  EXPECT_FALSE(r.failure->verify_failed);
  EXPECT_NE(r.failure->cause.find("http/1.1"), std::string::npos) << r.failure->cause;
  // An HTTP/1.1 caller (the chat POST channel) to a server that selected h2.
  auto h1 = open_over_loopback({"h2", "http/1.1"}, {"h2", "http/1.1"}, false);
  ASSERT_TRUE(h1.called);
  ASSERT_TRUE(h1.failure);
  EXPECT_TRUE(h1.failure->alpn);
  EXPECT_NE(h1.failure->cause.find("h2"), std::string::npos) << h1.failure->cause;
}

TEST(TlsOpen, AnUnverifiedCertificateIsAHandshakeFailureMarkedAsVerification) {
  const std::string ca = foreign_ca_file();
  auto r = open_over_loopback({"http/1.1"}, {"http/1.1"}, false, ca);
  std::filesystem::remove(ca);
  ASSERT_TRUE(r.called);
  ASSERT_TRUE(r.failure);
  EXPECT_FALSE(r.failure->alpn);
  EXPECT_TRUE(r.failure->verify_failed);
  EXPECT_NE(r.failure->cause.find("verify"), std::string::npos) << r.failure->cause;
}

}  // namespace
}  // namespace pushbench::loadgen
