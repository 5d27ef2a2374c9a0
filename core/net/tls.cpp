#include "core/net/tls.hpp"

#include "core/net/openssl_ptr.hpp"

#include <boost/asio/ip/address.hpp>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <ctime>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace pushbench::tls {
namespace {

namespace ssl = boost::asio::ssl;


// Empties the thread's OpenSSL error queue into one line of reasons (with their detail text),
// oldest first. OpenSSL's generic "system lib" entry after an errno reason is left out.
std::string drain_errors() {
  std::string text;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    std::string reason;
    if (ERR_SYSTEM_ERROR(e)) {
      reason = std::generic_category().message(static_cast<int>(ERR_GET_REASON(e)));
    } else if (ERR_GET_REASON(e) == ERR_R_SYS_LIB) {
      continue;
    } else if (const char* r = ERR_reason_error_string(e)) {
      reason = r;
    } else {
      char buf[256];
      ERR_error_string_n(e, buf, sizeof buf);
      reason = buf;
    }
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
      reason += std::string(" (") + data + ")";
    }
    if (text.find(reason) != std::string::npos) {
      continue;
    }
    if (!text.empty()) {
      text += "; ";
    }
    text += reason;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + drain_errors());
}

struct KeyAndCert {
  PkeyPtr key;
  X509Ptr cert;
};

void add_extension(X509* cert, X509V3_CTX& v3, int nid, const char* value) {
  ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    fail(std::string("cannot add certificate extension ") + OBJ_nid2sn(nid));
  }
}

KeyAndCert make_self_signed(std::string_view common_name, int days) {
  if (common_name.empty() || common_name.size() > 64) {
    throw std::invalid_argument("certificate common name must be 1..64 bytes");
  }
  if (days < 1) {
    throw std::invalid_argument("certificate validity must be at least one day");
  }
  ERR_clear_error();

  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) {
    fail("cannot generate EC P-256 key");
  }
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    fail("cannot create certificate");
  }

  BignumPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ODD) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
    fail("cannot set certificate serial number");
  }

  std::time_t now = std::time(nullptr);
  constexpr long kBackdateSeconds = -3600;
  if (!X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, kBackdateSeconds, &now) ||
      !X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, kBackdateSeconds, &now)) {
    fail("cannot set certificate validity");
  }

  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1) {
    fail("cannot set certificate name");
  }

  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  add_extension(cert.get(), v3, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), v3, NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");

  if (X509_set_pubkey(cert.get(), key.get()) != 1 ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    fail("cannot sign certificate");
  }
  return {std::move(key), std::move(cert)};
}

std::string memory_bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// ALPN wire format (RFC 7301): each name preceded by its length byte.
std::string encode_alpn(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const std::string& protocol : protocols) {
    if (protocol.empty() || protocol.size() > 255) {
      throw std::invalid_argument("ALPN protocol name must be 1..255 bytes: \"" + protocol + "\"");
    }
    wire.push_back(static_cast<char>(protocol.size()));
    wire += protocol;
  }
  return wire;
}

bool alpn_list_contains(const unsigned char* list, std::size_t size, std::string_view name) {
  std::size_t i = 0;
  while (i < size) {
    const std::size_t length = list[i];
    if (length > size - i - 1) {
      return false;
    }
    if (std::string_view(reinterpret_cast<const char*>(list + i + 1), length) == name) {
      return true;
    }
    i += 1 + length;
  }
  return false;
}

// `arg` is the server's wire-format list; the server's order decides.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void* arg) {
  const std::string& server = *static_cast<const std::string*>(arg);
  std::size_t i = 0;
  while (i < server.size()) {
    const auto length = static_cast<unsigned char>(server[i]);
    const std::string_view candidate(server.data() + i + 1, length);
    if (alpn_list_contains(in, inlen, candidate)) {
      *out = reinterpret_cast<const unsigned char*>(candidate.data());
      *outlen = length;
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + length;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

void free_alpn_list(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<std::string*>(ptr);
}

// SSL_CTX ex-data slot owning the server's ALPN list, freed with the SSL_CTX itself (which
// outlives every SSL created from it).
int alpn_list_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_alpn_list);
  if (index < 0) {
    fail("cannot allocate SSL_CTX ex-data index");
  }
  return index;
}

void set_common_options(SSL_CTX* ctx, bool allow_tls12) {
  if (SSL_CTX_set_min_proto_version(ctx, allow_tls12 ? TLS1_2_VERSION : TLS1_3_VERSION) != 1) {
    fail("cannot set minimum TLS version");
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION);
}

void load_certificate_files(SSL_CTX* ctx, const std::string& cert_file,
                            const std::string& key_file) {
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    fail("cannot read certificate file " + cert_file);
  }
  BioPtr bio(BIO_new_file(key_file.c_str(), "r"));
  if (!bio) {
    fail("cannot read key file " + key_file);
  }
  // Refuses encrypted keys instead of prompting on the terminal.
  auto no_passphrase = [](char*, int, int, void*) { return -1; };
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    fail("cannot read key file " + key_file);
  }
  if (X509_check_private_key(SSL_CTX_get0_certificate(ctx), key.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("certificate and key do not match: " + cert_file + ", " + key_file);
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) {
    fail("cannot use key file " + key_file);
  }
}

}  // namespace

CertPair generate_self_signed(std::string_view common_name, int days) {
  KeyAndCert generated = make_self_signed(common_name, days);
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), generated.cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), generated.key.get(), nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    fail("cannot encode certificate as PEM");
  }
  return {memory_bio_text(cert_bio.get()), memory_bio_text(key_bio.get())};
}

std::shared_ptr<ssl::context> make_server_context(const ServerOptions& options) {
  if (!options.cert_file.empty() && options.key_file.empty()) {
    throw std::runtime_error("--key is required with --cert");
  }
  if (options.cert_file.empty() && !options.key_file.empty()) {
    throw std::runtime_error("--cert is required with --key");
  }
  std::string alpn_wire = encode_alpn(options.alpn);
  ERR_clear_error();

  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  set_common_options(ctx, options.allow_tls12);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);

  if (options.cert_file.empty()) {
    KeyAndCert generated = make_self_signed("localhost", 7);
    if (SSL_CTX_use_certificate(ctx, generated.cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, generated.key.get()) != 1) {
      fail("cannot use generated certificate");
    }
  } else {
    load_certificate_files(ctx, options.cert_file, options.key_file);
  }

  if (!alpn_wire.empty()) {
    auto list = std::make_unique<std::string>(std::move(alpn_wire));
    if (SSL_CTX_set_ex_data(ctx, alpn_list_index(), list.get()) != 1) {
      fail("cannot store ALPN protocols");
    }
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, list.release());
  }
  return context;
}

std::shared_ptr<ssl::context> make_client_context(const std::vector<std::string>& alpn,
                                                  bool allow_tls12, const std::string& ca_file) {
  const std::string alpn_wire = encode_alpn(alpn);
  ERR_clear_error();

  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* ctx = context->native_handle();
  set_common_options(ctx, allow_tls12);
  if (ca_file.empty()) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  } else {
    if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
      fail("cannot read CA file " + ca_file);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    // As curl does: a certificate of the file is a trust anchor even when it is not a root.
    X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx), X509_V_FLAG_PARTIAL_CHAIN);
  }
  // Unlike most OpenSSL calls, SSL_CTX_set_alpn_protos returns 0 on success.
  if (!alpn_wire.empty() &&
      SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(alpn_wire.data()),
                              static_cast<unsigned int>(alpn_wire.size())) != 0) {
    fail("cannot set ALPN protocols");
  }
  return context;
}

void prepare_client(SSL* ssl, const std::string& host) {
  boost::system::error_code not_ip;
  const auto address = boost::asio::ip::make_address(host, not_ip);
  // A fully qualified name's trailing dot is neither in SNI (RFC 6066) nor in certificates.
  const std::string name =
      !host.empty() && host.back() == '.' ? host.substr(0, host.size() - 1) : host;
  if (not_ip) SSL_set_tlsext_host_name(ssl, name.c_str());
  if ((SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) == 0) return;
  bool expected = false;
  if (not_ip) {
    expected = SSL_set1_host(ssl, name.c_str()) == 1;
  } else if (address.is_v4()) {
    const auto bytes = address.to_v4().to_bytes();
    expected = X509_VERIFY_PARAM_set1_ip(SSL_get0_param(ssl), bytes.data(), bytes.size()) == 1;
  } else {
    // The bytes leave out an IPv6 zone id ("%eth0"), which certificates never carry.
    const auto bytes = address.to_v6().to_bytes();
    expected = X509_VERIFY_PARAM_set1_ip(SSL_get0_param(ssl), bytes.data(), bytes.size()) == 1;
  }
  if (!expected) {
    // Fail closed: without the expected name, no certificate is accepted.
    SSL_set_verify(ssl, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 0; });
  }
}

std::string handshake_error_text(const SSL* ssl, const std::string& message) {
  if (ssl == nullptr) return message;
  const long result = SSL_get_verify_result(ssl);
  if (result == X509_V_OK) return message;
  return message + ": " + X509_verify_cert_error_string(result);
}

std::string negotiated_alpn(const SSL* ssl) {
  if (ssl == nullptr) {
    return {};
  }
  const unsigned char* data = nullptr;
  unsigned int size = 0;
  SSL_get0_alpn_selected(ssl, &data, &size);
  return data == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(data), size);
}

std::string version_name(const SSL* ssl) {
  return ssl == nullptr ? std::string() : std::string(SSL_get_version(ssl));
}

std::optional<std::string> alpn_mismatch(const SSL* ssl, bool h2) {
  const unsigned char* alpn = nullptr;
  unsigned len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &len);
  const std::string_view selected(reinterpret_cast<const char*>(alpn), len);
  if (h2 ? selected == "h2" : selected.empty() || selected == "http/1.1") return std::nullopt;
  return "the server selected \"" + std::string(selected) + "\"";
}

}  // namespace pushbench::tls
