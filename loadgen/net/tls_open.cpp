#include "loadgen/net/tls_open.hpp"

#include <openssl/x509_vfy.h>

#include <utility>

#include "core/net/tls.hpp"

namespace pushbench::loadgen {

void async_tls_open(ConnStream::TlsStream& tls, const std::string& host, bool h2, TlsOpened done) {
  tls::prepare_client(tls.native_handle(), host);
  tls.async_handshake(boost::asio::ssl::stream_base::client, [&tls, h2, done = std::move(done)](
                                                                 boost::system::error_code ec) {
    SSL* ssl = tls.native_handle();
    if (ec) {
      return done(TlsOpenFailure{.verify_failed = SSL_get_verify_result(ssl) != X509_V_OK,
                                 .cause = tls::handshake_error_text(ssl, ec.message())});
    }
    if (auto wrong = tls::alpn_mismatch(ssl, h2)) {
      return done(TlsOpenFailure{.alpn = true, .cause = std::move(*wrong)});
    }
    done(std::nullopt);
  });
}

}  // namespace pushbench::loadgen
