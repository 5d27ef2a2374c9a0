// Fuzzes the SSE server's Accept-Encoding negotiation (server::choose_content_coding).
// Invariants: a value naming none of gzip, x-gzip, deflate and "*" (case-insensitively) is
// answered with identity; the answer is the same when the value is given again after a comma
// (duplicate elements do not change the choice) and when surrounded by spaces.
#include <algorithm>
#include <cctype>

#include "servers/codec/content_coding.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace {

bool mentions_a_coding(std::string_view s) {
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("gzip") != std::string::npos || lower.find("deflate") != std::string::npos ||
         lower.find('*') != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = pushbench::fuzz::as_view(data, size);
  const auto chosen = pushbench::server::choose_content_coding(in);
  if (!mentions_a_coding(in)) FUZZ_CHECK(!chosen.has_value());
  if (chosen) {
    FUZZ_CHECK(*chosen == pushbench::compress::Format::gzip ||
               *chosen == pushbench::compress::Format::zlib);
  }
  const std::string twice = std::string(in) + "," + std::string(in);
  FUZZ_CHECK(pushbench::server::choose_content_coding(twice) == chosen);
  const std::string padded = " " + std::string(in) + " ";
  FUZZ_CHECK(pushbench::server::choose_content_coding(padded) == chosen);
  return 0;
}
