#include "core/codec/ws_handshake.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace pushbench::ws {
namespace {

TEST(WsHandshake, AcceptKeyMatchesRfc6455Example) {
  // RFC 6455 section 1.3.
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsHandshake, Base64Rfc4648Vectors) {
  // RFC 4648 section 10.
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain);
  }
  EXPECT_EQ(base64_encode(std::string("\xFB\xFF\xBF", 3)), "+/+/");
  EXPECT_EQ(base64_decode("+/+/"), std::string("\xFB\xFF\xBF", 3));
}

TEST(WsHandshake, Base64RoundTripsRandomBytes) {
  std::mt19937_64 rng(1);
  for (std::size_t n = 0; n < 300; ++n) {
    std::string data(n, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    const std::string encoded = base64_encode(data);
    EXPECT_EQ(encoded.size(), (n + 2) / 3 * 4);
    EXPECT_EQ(base64_decode(encoded), data) << n;
  }
}

TEST(WsHandshake, Base64RejectsInvalidInput) {
  using namespace std::string_view_literals;
  for (std::string_view bad :
       {"Zg="sv, "Zg"sv, "Z"sv, "Zm9vY"sv, "Zg==Zg=="sv, "Z==="sv, "===="sv, "=Zm9"sv, "Zm9v\n"sv,
        " Zm9v"sv, "Zm-v"sv, "Zm_v"sv, "Zm9v*A=="sv, "Zh=="sv, "Zm9="sv, "Zm\0v"sv}) {
    EXPECT_EQ(base64_decode(bad), std::nullopt) << testing::PrintToString(bad);
  }
}

TEST(WsHandshake, ClientKeysAreDeterministicDistinctAndWellFormed) {
  std::set<std::string> keys;
  for (std::uint64_t seed = 0; seed < 1000; ++seed) {
    const std::string key = make_client_key(seed);
    EXPECT_EQ(key.size(), 24u);
    EXPECT_TRUE(is_valid_client_key(key)) << key;
    EXPECT_EQ(key, make_client_key(seed));
    keys.insert(key);
  }
  EXPECT_EQ(keys.size(), 1000u);
  EXPECT_NE(make_client_key(~std::uint64_t{0}), make_client_key(0));
}

TEST(WsHandshake, ValidatesClientKeys) {
  EXPECT_TRUE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_FALSE(is_valid_client_key(""));
  EXPECT_FALSE(is_valid_client_key("Zm9vYmFy"));                   // 6 bytes
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ"));     // missing padding
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ==="));  // bad length
}

TEST(WsHandshake, AcceptKeyOfGeneratedKeyHasSha1Shape) {
  const std::string accept = accept_key(make_client_key(5));
  EXPECT_EQ(accept.size(), 28u);
  const auto digest = base64_decode(accept);
  ASSERT_TRUE(digest.has_value());
  EXPECT_EQ(digest->size(), 20u);
  EXPECT_NE(accept, accept_key(make_client_key(6)));
}

}  // namespace
}  // namespace pushbench::ws
