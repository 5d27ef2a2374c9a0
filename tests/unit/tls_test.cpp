#include "core/net/tls.hpp"
#include "core/net/openssl_ptr.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace pushbench::tls {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

X509Ptr parse_cert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

PkeyPtr parse_key(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

// subjectAltName entries as "DNS:name" / "IP:address".
std::set<std::string> subject_alt_names(X509* cert) {
  std::set<std::string> names;
  GeneralNamesPtr san(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; san && i < sk_GENERAL_NAME_num(san.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(san.get(), i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* dns = name->d.dNSName;
      names.insert("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                        static_cast<std::size_t>(ASN1_STRING_length(dns))));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      const unsigned char* bytes = ASN1_STRING_get0_data(ip);
      if (ASN1_STRING_length(ip) == 4) {
        asio::ip::address_v4::bytes_type v4;
        std::memcpy(v4.data(), bytes, v4.size());
        names.insert("IP:" + asio::ip::make_address_v4(v4).to_string());
      } else if (ASN1_STRING_length(ip) == 16) {
        asio::ip::address_v6::bytes_type v6;
        std::memcpy(v6.data(), bytes, v6.size());
        names.insert("IP:" + asio::ip::make_address_v6(v6).to_string());
      }
    } else {
      names.insert("other");
    }
  }
  return names;
}

std::string common_name(X509* cert) {
  char buf[128] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
  return buf;
}

struct SideResult {
  bool done = false;
  boost::system::error_code ec;
  std::string alpn;
  std::string version;
};

struct LoopbackResult {
  bool timed_out = false;
  SideResult client;
  SideResult server;
  bool read_done = false;
  boost::system::error_code read_ec;
  std::string received;
};

// A server and a client TLS stream connected over 127.0.0.1 in one io_context. The streams hold
// their own SSL objects, so the contexts' shared_ptrs may be released after construction.
class Loopback {
 public:
  Loopback(ssl::context& server_ctx, ssl::context& client_ctx)
      : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0)),
        server_(ioc_, server_ctx),
        client_(ioc_, client_ctx) {}

  // Handshakes both sides; with `send_ping` the client then writes "ping" and the server reads
  // four bytes. Bounded by a few seconds.
  LoopbackResult run(bool send_ping) {
    acceptor_.async_accept(server_.next_layer(), [this, send_ping](boost::system::error_code ec) {
      if (ec) {
        finish(result_.server, ec, server_);
        return;
      }
      server_.async_handshake(ssl::stream_base::server, [this, send_ping](boost::system::error_code ec) {
        finish(result_.server, ec, server_);
        if (!ec && send_ping) {
          asio::async_read(server_, asio::buffer(read_buffer_),
                           [this](boost::system::error_code ec, std::size_t n) {
                             result_.read_done = true;
                             result_.read_ec = ec;
                             result_.received.assign(read_buffer_.data(), n);
                           });
        }
      });
    });
    client_.next_layer().async_connect(
        acceptor_.local_endpoint(), [this, send_ping](boost::system::error_code ec) {
          if (ec) {
            finish(result_.client, ec, client_);
            return;
          }
          client_.async_handshake(ssl::stream_base::client, [this, send_ping](boost::system::error_code ec) {
            finish(result_.client, ec, client_);
            if (!ec && send_ping) {
              asio::async_write(client_, asio::buffer("ping", 4),
                                [](boost::system::error_code, std::size_t) {});
            }
          });
        });

    ioc_.run_for(std::chrono::seconds(5));
    result_.timed_out = !ioc_.stopped();
    if (result_.timed_out) {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      server_.next_layer().close(ignored);
      client_.next_layer().close(ignored);
      ioc_.restart();
      ioc_.run_for(std::chrono::seconds(1));
    }
    return result_;
  }

 private:
  // Records one side's outcome; a failed side closes its socket so the peer does not wait.
  static void finish(SideResult& side, boost::system::error_code ec, ssl::stream<tcp::socket>& stream) {
    side.done = true;
    side.ec = ec;
    if (ec) {
      boost::system::error_code ignored;
      stream.next_layer().close(ignored);
      return;
    }
    side.alpn = negotiated_alpn(stream.native_handle());
    side.version = version_name(stream.native_handle());
  }

  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  ssl::stream<tcp::socket> server_;
  ssl::stream<tcp::socket> client_;
  std::array<char, 4> read_buffer_{};
  LoopbackResult result_;
};

ServerOptions alpn_options(std::vector<std::string> alpn, bool allow_tls12 = false) {
  ServerOptions options;
  options.alpn = std::move(alpn);
  options.allow_tls12 = allow_tls12;
  return options;
}

ServerOptions file_options(std::string cert_file, std::string key_file,
                           std::vector<std::string> alpn = {}) {
  ServerOptions options;
  options.cert_file = std::move(cert_file);
  options.key_file = std::move(key_file);
  options.alpn = std::move(alpn);
  return options;
}

LoopbackResult handshake(const ServerOptions& server_options, const std::vector<std::string>& client_alpn,
                         bool send_ping = false) {
  auto server_ctx = make_server_context(server_options);
  auto client_ctx = make_client_context(client_alpn);
  return Loopback(*server_ctx, *client_ctx).run(send_ping);
}

void expect_success(const LoopbackResult& r) {
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.client.done);
  EXPECT_TRUE(r.server.done);
  EXPECT_FALSE(r.client.ec) << r.client.ec.message();
  EXPECT_FALSE(r.server.ec) << r.server.ec.message();
}

// A directory under the test temp dir, removed with its contents on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::path(testing::TempDir()) / "pushbench-tls-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed for " + pattern);
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string write(const std::string& name, const std::string& content) const {
    const std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << content;
    return file.string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Calls `f`, expecting std::runtime_error, and returns its what() ("" when nothing was thrown).
template <typename F>
std::string runtime_error_text(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no std::runtime_error thrown";
  return {};
}

TEST(Tls, GeneratedCertificateIsValid) {
  const CertPair pair = generate_self_signed();
  X509Ptr cert = parse_cert(pair.cert_pem);
  PkeyPtr key = parse_key(pair.key_pem);
  ASSERT_TRUE(cert);
  ASSERT_TRUE(key);

  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);
  EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC"));
  char group[64] = {};
  ASSERT_EQ(EVP_PKEY_get_group_name(key.get(), group, sizeof group, nullptr), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(common_name(cert.get()), "localhost");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);

  EXPECT_EQ(subject_alt_names(cert.get()),
            (std::set<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1"}));
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_NE(X509_check_host(cert.get(), "example.com", 0, 0, nullptr), 1);

  EXPECT_EQ(X509_cmp_current_time(X509_get0_notBefore(cert.get())), -1);
  EXPECT_EQ(X509_cmp_current_time(X509_get0_notAfter(cert.get())), 1);
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert.get()),
                           X509_get0_notAfter(cert.get())),
            1);
  EXPECT_EQ(days, 7);
  EXPECT_EQ(seconds, 0);
}

TEST(Tls, GeneratedCertificateHonoursNameDaysAndRandomSerial) {
  const CertPair a = generate_self_signed("bench.test", 30);
  const CertPair b = generate_self_signed("bench.test", 30);
  X509Ptr cert_a = parse_cert(a.cert_pem);
  X509Ptr cert_b = parse_cert(b.cert_pem);
  ASSERT_TRUE(cert_a);
  ASSERT_TRUE(cert_b);
  EXPECT_EQ(common_name(cert_a.get()), "bench.test");
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert_a.get()),
                           X509_get0_notAfter(cert_a.get())),
            1);
  EXPECT_EQ(days, 30);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(cert_a.get()),
                             X509_get0_serialNumber(cert_b.get())),
            0);
  EXPECT_NE(a.key_pem, b.key_pem);
}

TEST(Tls, GenerateRejectsBadArguments) {
  EXPECT_THROW(generate_self_signed("", 7), std::invalid_argument);
  EXPECT_THROW(generate_self_signed(std::string(65, 'a'), 7), std::invalid_argument);
  EXPECT_THROW(generate_self_signed("localhost", 0), std::invalid_argument);
  EXPECT_THROW(make_client_context({""}), std::invalid_argument);
  EXPECT_THROW(make_server_context(alpn_options({std::string(256, 'x')})), std::invalid_argument);
}

TEST(Tls, AlpnBothOfferH2) {
  const LoopbackResult r = handshake(alpn_options({"h2", "http/1.1"}), {"h2", "http/1.1"});
  expect_success(r);
  EXPECT_EQ(r.client.alpn, "h2");
  EXPECT_EQ(r.server.alpn, "h2");
  EXPECT_EQ(r.client.version, "TLSv1.3");
  EXPECT_EQ(r.server.version, "TLSv1.3");
}

TEST(Tls, AlpnServerPreferenceWins) {
  const LoopbackResult r = handshake(alpn_options({"h2", "http/1.1"}), {"http/1.1", "h2"});
  expect_success(r);
  EXPECT_EQ(r.client.alpn, "h2");
  EXPECT_EQ(r.server.alpn, "h2");
}

TEST(Tls, AlpnClientOffersOnlyHttp11) {
  const LoopbackResult r = handshake(alpn_options({"h2", "http/1.1"}), {"http/1.1"});
  expect_success(r);
  EXPECT_EQ(r.client.alpn, "http/1.1");
  EXPECT_EQ(r.server.alpn, "http/1.1");
}

TEST(Tls, AlpnClientOffersNone) {
  const LoopbackResult r = handshake(alpn_options({"h2", "http/1.1"}), {});
  expect_success(r);
  EXPECT_EQ(r.client.alpn, "");
  EXPECT_EQ(r.server.alpn, "");
  EXPECT_EQ(r.client.version, "TLSv1.3");
}

TEST(Tls, AlpnNoOverlapContinuesWithoutAlpn) {
  const LoopbackResult r = handshake(alpn_options({"http/1.1"}), {"h2"});
  expect_success(r);
  EXPECT_EQ(r.client.alpn, "");
  EXPECT_EQ(r.server.alpn, "");
}

TEST(Tls, ServerWithoutAlpnIgnoresClientOffer) {
  const LoopbackResult r = handshake({}, {"h2"});
  expect_success(r);
  EXPECT_EQ(r.client.alpn, "");
}

TEST(Tls, Tls13ServerRejectsTls12Client) {
  auto server_ctx = make_server_context(alpn_options({"http/1.1"}));
  auto client_ctx = make_client_context({"http/1.1"}, true);
  ASSERT_EQ(SSL_CTX_set_max_proto_version(client_ctx->native_handle(), TLS1_2_VERSION), 1);
  const LoopbackResult r = Loopback(*server_ctx, *client_ctx).run(false);
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.client.done);
  EXPECT_TRUE(r.client.ec);
  EXPECT_TRUE(r.server.ec);
}

TEST(Tls, Tls12AllowedWhenRequested) {
  auto server_ctx = make_server_context(alpn_options({"h2", "http/1.1"}, true));
  auto client_ctx = make_client_context({"h2"}, true);
  ASSERT_EQ(SSL_CTX_set_max_proto_version(client_ctx->native_handle(), TLS1_2_VERSION), 1);
  const LoopbackResult r = Loopback(*server_ctx, *client_ctx).run(true);
  expect_success(r);
  EXPECT_EQ(r.client.version, "TLSv1.2");
  EXPECT_EQ(r.server.version, "TLSv1.2");
  EXPECT_EQ(r.server.alpn, "h2");
  EXPECT_EQ(r.received, "ping");
}

TEST(Tls, ApplicationDataRoundTrip) {
  const LoopbackResult r = handshake(alpn_options({"http/1.1"}), {"http/1.1"}, true);
  expect_success(r);
  EXPECT_TRUE(r.read_done);
  EXPECT_FALSE(r.read_ec) << r.read_ec.message();
  EXPECT_EQ(r.received, "ping");
}

TEST(Tls, ConnectionsOutliveContextPointers) {
  auto server_ctx = make_server_context(alpn_options({"h2", "http/1.1"}));
  auto client_ctx = make_client_context({"h2"});
  Loopback loopback(*server_ctx, *client_ctx);
  server_ctx.reset();
  client_ctx.reset();
  const LoopbackResult r = loopback.run(true);
  expect_success(r);
  EXPECT_EQ(r.server.alpn, "h2");
  EXPECT_EQ(r.received, "ping");
}

TEST(Tls, LoadsCertificateAndKeyFiles) {
  ScratchDir dir;
  const CertPair pair = generate_self_signed();
  const LoopbackResult r = handshake(file_options(dir.write("cert.pem", pair.cert_pem),
                                                  dir.write("key.pem", pair.key_pem), {"http/1.1"}),
                                     {"http/1.1"}, true);
  expect_success(r);
  EXPECT_EQ(r.server.alpn, "http/1.1");
  EXPECT_EQ(r.received, "ping");
}

TEST(Tls, MissingCertificateFileIsNamed) {
  ScratchDir dir;
  const CertPair pair = generate_self_signed();
  const std::string missing = dir.path("missing-cert.pem");
  const std::string text = runtime_error_text([&] {
    make_server_context(file_options(missing, dir.write("key.pem", pair.key_pem)));
  });
  EXPECT_NE(text.find("cannot read certificate file " + missing), std::string::npos) << text;
  EXPECT_EQ(ERR_peek_error(), 0UL);
}

TEST(Tls, MissingCaFileIsNamed) {
  ScratchDir dir;
  const std::string missing = dir.path("missing-ca.pem");
  const std::string text = runtime_error_text([&] { make_client_context({"h2"}, false, missing); });
  EXPECT_NE(text.find("cannot read CA file " + missing), std::string::npos) << text;
  EXPECT_EQ(ERR_peek_error(), 0UL);
}

TEST(Tls, PrepareClientExpectsTheHostOnlyWhenVerifying) {
  ScratchDir dir;
  const std::string ca = dir.write("ca.pem", generate_self_signed().cert_pem);
  const auto verifying = make_client_context({"h2"}, false, ca);
  const auto lax = make_client_context({"h2"});
  const auto expected = [](const std::shared_ptr<boost::asio::ssl::context>& ctx,
                           const std::string& host) {
    SslPtr ssl(SSL_new(ctx->native_handle()));
    prepare_client(ssl.get(), host);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
    const char* name = X509_VERIFY_PARAM_get0_host(param, 0);
    char* ip = X509_VERIFY_PARAM_get1_ip_asc(param);
    std::string out = name ? std::string("host ") + name : ip ? std::string("ip ") + ip : "none";
    OPENSSL_free(ip);
    return out;
  };
  EXPECT_EQ(expected(verifying, "example.com"), "host example.com");
  EXPECT_EQ(expected(verifying, "example.com."), "host example.com");
  EXPECT_EQ(expected(verifying, "127.0.0.1"), "ip 127.0.0.1");
  EXPECT_EQ(expected(verifying, "fe80::1%1").rfind("ip ", 0), 0u);  // the zone id is left out
  EXPECT_EQ(expected(lax, "example.com"), "none");
  EXPECT_EQ(expected(lax, "127.0.0.1"), "none");
}

TEST(Tls, MissingKeyFileIsNamed) {
  ScratchDir dir;
  const CertPair pair = generate_self_signed();
  const std::string missing = dir.path("missing-key.pem");
  const std::string text = runtime_error_text([&] {
    make_server_context(file_options(dir.write("cert.pem", pair.cert_pem), missing));
  });
  EXPECT_NE(text.find("cannot read key file " + missing), std::string::npos) << text;
}

TEST(Tls, GarbageCertificateFileIsRejected) {
  ScratchDir dir;
  const CertPair pair = generate_self_signed();
  const std::string cert_file = dir.write("cert.pem", "not a certificate\n");
  const std::string text = runtime_error_text([&] {
    make_server_context(file_options(cert_file, dir.write("key.pem", pair.key_pem)));
  });
  EXPECT_NE(text.find("cannot read certificate file " + cert_file), std::string::npos) << text;
}

TEST(Tls, MismatchedKeyIsRejected) {
  ScratchDir dir;
  const CertPair pair = generate_self_signed();
  const CertPair other = generate_self_signed();
  const std::string text = runtime_error_text([&] {
    make_server_context(file_options(dir.write("cert.pem", pair.cert_pem),
                                     dir.write("key.pem", other.key_pem)));
  });
  EXPECT_NE(text.find("do not match"), std::string::npos) << text;
}

TEST(Tls, CertificateWithoutKeyIsRejected) {
  ScratchDir dir;
  const CertPair pair = generate_self_signed();
  const std::string cert_file = dir.write("cert.pem", pair.cert_pem);
  EXPECT_EQ(runtime_error_text([&] { make_server_context(file_options(cert_file, "")); }),
            "--key is required with --cert");
  EXPECT_EQ(runtime_error_text([&] { make_server_context(file_options("", cert_file)); }),
            "--cert is required with --key");
}

}  // namespace
}  // namespace pushbench::tls
