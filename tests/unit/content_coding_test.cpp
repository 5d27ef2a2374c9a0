#include <gtest/gtest.h>

#include "servers/codec/content_coding.hpp"

namespace pushbench::server {
namespace {

using compress::Format;

TEST(ContentCoding, ChoosesFromAcceptEncoding) {
  EXPECT_EQ(choose_content_coding("gzip, deflate, br"), Format::gzip);
  EXPECT_EQ(choose_content_coding("deflate"), Format::zlib);
  EXPECT_EQ(choose_content_coding("br, deflate;q=0.5, gzip;q=0.1"), Format::zlib);
  EXPECT_EQ(choose_content_coding("GZIP"), Format::gzip);
  EXPECT_EQ(choose_content_coding("x-gzip"), Format::gzip);
  EXPECT_EQ(choose_content_coding("*"), Format::gzip);
  EXPECT_EQ(choose_content_coding("gzip;q=0, *"), Format::zlib);
  EXPECT_EQ(choose_content_coding("gzip;q=0, deflate;q=0"), std::nullopt);
  EXPECT_EQ(choose_content_coding(""), std::nullopt);
  EXPECT_EQ(choose_content_coding("identity, br"), std::nullopt);
  EXPECT_EQ(content_coding_name(Format::gzip), "gzip");
  EXPECT_EQ(content_coding_name(Format::zlib), "deflate");
}

TEST(ContentCoding, MalformedElementsAreIgnored) {
  EXPECT_EQ(choose_content_coding("gzip;q=abc"), std::nullopt);
  EXPECT_EQ(choose_content_coding("gzip;q=2, deflate"), Format::zlib);
  EXPECT_EQ(choose_content_coding(",,, ;;; ,gzip"), Format::gzip);
  EXPECT_EQ(choose_content_coding(std::string(10000, ',')), std::nullopt);
  EXPECT_EQ(choose_content_coding("gzip;q=-1"), std::nullopt);
}

}  // namespace
}  // namespace pushbench::server
