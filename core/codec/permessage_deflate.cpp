#include "core/codec/permessage_deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <vector>

namespace pushbench::compress {
namespace {

constexpr std::string_view kExtension = "permessage-deflate";
// The end of an empty stored block, which a sync flush appends and RFC 7692 strips.
constexpr std::string_view kTail{"\x00\x00\xff\xff", 4};

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

// "8".."15" without leading zeros; 0 otherwise.
int parse_window_bits(std::string_view v) {
  if (v.size() == 1 && (v[0] == '8' || v[0] == '9')) return v[0] - '0';
  if (v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5') return 10 + (v[1] - '0');
  return 0;
}

// One "name[=value]" of an extension element.
struct Param {
  std::string_view name;             // token as written
  std::optional<std::string> value;  // token, or quoted-string with escapes removed
};

// One extension element: its name and parameters in order.
struct Element {
  std::string_view name;      // extension token as written
  std::vector<Param> params;  // parameters in order of appearance
};

// Recursive-descent reader of a Sec-WebSocket-Extensions value (RFC 6455 section 9.1), with
// optional whitespace around separators and empty list elements allowed (RFC 9110 section 5.6.1).
class ExtensionReader {
 public:
  explicit ExtensionReader(std::string_view s) : s_(s) {}

  // Reads every element into `out`; false on a syntax error.
  bool read_all(std::vector<Element>& out) {
    for (;;) {
      skip_ows();
      if (at_end()) return true;
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      Element e;
      e.name = token();
      if (e.name.empty()) return false;
      skip_ows();
      while (!at_end() && peek() == ';') {
        ++pos_;
        skip_ows();
        Param p;
        p.name = token();
        if (p.name.empty()) return false;
        skip_ows();
        if (!at_end() && peek() == '=') {
          ++pos_;
          skip_ows();
          p.value = value();
          if (!p.value) return false;
          skip_ows();
        }
        e.params.push_back(std::move(p));
      }
      if (!at_end() && peek() != ',') return false;
      out.push_back(std::move(e));
    }
  }

 private:
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }

  void skip_ows() {
    while (!at_end() && (peek() == ' ' || peek() == '\t')) ++pos_;
  }

  std::string_view token() {
    const std::size_t start = pos_;
    while (!at_end() && is_tchar(peek())) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  // A token or a quoted-string whose unescaped content is a token.
  std::optional<std::string> value() {
    if (at_end()) return std::nullopt;
    if (peek() != '"') {
      const auto t = token();
      if (t.empty()) return std::nullopt;
      return std::string(t);
    }
    ++pos_;
    std::string v;
    while (!at_end() && peek() != '"') {
      if (peek() == '\\') {
        ++pos_;
        if (at_end()) return std::nullopt;
      }
      v += peek();
      ++pos_;
    }
    if (at_end()) return std::nullopt;
    ++pos_;
    if (!is_token(v)) return std::nullopt;
    return v;
  }

  std::string_view s_;   // the header value
  std::size_t pos_ = 0;  // next unread character
};

// Applies the parameters of the server's permessage-deflate element to the agreement.
std::error_code accept_params(const Element& e, const PmdParams& offered, PmdParams& agreed) {
  const std::error_code failed = CompressError::negotiation_failed;
  bool seen_snct = false, seen_cnct = false, seen_smwb = false, seen_cmwb = false;
  for (const auto& p : e.params) {
    if (iequals(p.name, "server_no_context_takeover")) {
      if (seen_snct || p.value) return failed;
      seen_snct = true;
      agreed.server_no_context_takeover = true;
    } else if (iequals(p.name, "client_no_context_takeover")) {
      if (seen_cnct || p.value) return failed;
      seen_cnct = true;
      agreed.client_no_context_takeover = true;
    } else if (iequals(p.name, "server_max_window_bits")) {
      if (seen_smwb || !p.value) return failed;
      seen_smwb = true;
      const int bits = parse_window_bits(*p.value);
      if (bits == 0 || bits > std::clamp(offered.server_max_window_bits, 8, 15)) return failed;
      agreed.server_max_window_bits = bits;
    } else if (iequals(p.name, "client_max_window_bits")) {
      if (seen_cmwb || !p.value) return failed;
      if (!offered.offer_client_max_window_bits && offered.client_max_window_bits >= 15) {
        return failed;
      }
      seen_cmwb = true;
      const int bits = parse_window_bits(*p.value);
      if (bits == 0) return failed;
      // The client promised at most its offered value; a larger answer changes nothing.
      agreed.client_max_window_bits = std::min(bits, agreed.client_max_window_bits);
    } else {
      return failed;
    }
  }
  // What the offer demanded must be confirmed (RFC 7692 sections 7.1.1.1 and 7.1.2.1).
  if (offered.server_no_context_takeover && !seen_snct) return failed;
  if (offered.server_max_window_bits < 15 && !seen_smwb) return failed;
  return {};
}

}  // namespace

std::string make_pmd_offer(const PmdParams& requested) {
  std::string s(kExtension);
  if (requested.server_no_context_takeover) s += "; server_no_context_takeover";
  if (requested.client_no_context_takeover) s += "; client_no_context_takeover";
  const int server_bits = std::clamp(requested.server_max_window_bits, 8, 15);
  if (server_bits < 15) s += "; server_max_window_bits=" + std::to_string(server_bits);
  const int client_bits = std::clamp(requested.client_max_window_bits, 8, 15);
  if (client_bits < 15) {
    s += "; client_max_window_bits=" + std::to_string(client_bits);
  } else if (requested.offer_client_max_window_bits) {
    s += "; client_max_window_bits";
  }
  return s;
}

std::optional<PmdParams> negotiate_pmd_offer(std::string_view header,
                                             const PmdParams& preferences) {
  std::vector<Element> elements;
  if (!ExtensionReader(header).read_all(elements)) return std::nullopt;
  for (const auto& e : elements) {
    if (!iequals(e.name, kExtension)) continue;
    PmdParams agreed;
    agreed.server_no_context_takeover = preferences.server_no_context_takeover;
    agreed.client_no_context_takeover = preferences.client_no_context_takeover;
    agreed.server_max_window_bits = preferences.server_max_window_bits;
    agreed.offer_client_max_window_bits = false;  // here: whether we answer with the parameter
    bool valid = true, seen_snct = false, seen_cnct = false, seen_smwb = false, seen_cmwb = false;
    for (const auto& p : e.params) {
      if (iequals(p.name, "server_no_context_takeover") && !p.value && !seen_snct) {
        seen_snct = agreed.server_no_context_takeover = true;
      } else if (iequals(p.name, "client_no_context_takeover") && !p.value && !seen_cnct) {
        seen_cnct = agreed.client_no_context_takeover = true;
      } else if (iequals(p.name, "server_max_window_bits") && p.value && !seen_smwb) {
        seen_smwb = true;
        const int bits = parse_window_bits(*p.value);
        if (bits == 0) valid = false;
        agreed.server_max_window_bits = std::min(agreed.server_max_window_bits, bits);
      } else if (iequals(p.name, "client_max_window_bits") && !seen_cmwb) {
        seen_cmwb = true;
        const int bits = p.value ? parse_window_bits(*p.value) : 15;
        if (bits == 0) valid = false;
        agreed.client_max_window_bits = std::min(preferences.client_max_window_bits, bits);
        agreed.offer_client_max_window_bits = true;
      } else {
        valid = false;
      }
    }
    // zlib cannot compress within an 8-bit window: an offer demanding it is declined.
    if (!valid || agreed.server_max_window_bits < 9) continue;
    return agreed;
  }
  return std::nullopt;
}

std::string make_pmd_response(const PmdParams& agreed) {
  std::string out(kExtension);
  if (agreed.server_no_context_takeover) out += "; server_no_context_takeover";
  if (agreed.client_no_context_takeover) out += "; client_no_context_takeover";
  if (agreed.server_max_window_bits < 15) {
    out += "; server_max_window_bits=" + std::to_string(agreed.server_max_window_bits);
  }
  if (agreed.offer_client_max_window_bits && agreed.client_max_window_bits < 15) {
    out += "; client_max_window_bits=" + std::to_string(agreed.client_max_window_bits);
  }
  return out;
}

std::variant<std::optional<PmdParams>, std::error_code> parse_pmd_response(
    std::string_view header, const PmdParams& offered) {
  std::vector<Element> elements;
  if (!ExtensionReader(header).read_all(elements)) {
    return std::error_code(CompressError::negotiation_failed);
  }
  std::optional<PmdParams> agreed;
  for (const auto& e : elements) {
    if (!iequals(e.name, kExtension)) continue;
    if (agreed) return std::error_code(CompressError::negotiation_failed);
    PmdParams p;
    // A client that offered these keeps to them whatever the server answers.
    p.client_no_context_takeover = offered.client_no_context_takeover;
    p.client_max_window_bits = std::clamp(offered.client_max_window_bits, 8, 15);
    p.offer_client_max_window_bits = offered.offer_client_max_window_bits;
    if (const auto ec = accept_params(e, offered, p)) return ec;
    agreed = p;
  }
  return agreed;
}

// ---------------------------------------------------------------------------------------------

PmdInflater::PmdInflater(const PmdParams& p, bool we_are_client, std::size_t max_message_bytes)
    : inflater_(Format::raw, we_are_client ? p.server_max_window_bits : p.client_max_window_bits,
                max_message_bytes),
      reset_each_(we_are_client ? p.server_no_context_takeover : p.client_no_context_takeover) {}

std::error_code PmdInflater::feed(std::string_view data, int flush, std::string& out) {
  for (;;) {
    std::size_t used = 0;
    if (const auto ec = inflater_.inflate_some(data, out, flush, used)) return ec;
    data.remove_prefix(used);
    if (data.empty()) return {};
    // A BFINAL block ended the DEFLATE stream inside the message; the rest is a new stream that
    // shares the window.
    inflater_.continue_stream();
  }
}

std::error_code PmdInflater::decompress(std::string_view message, std::string& out) {
  out.clear();
  inflater_.restart_output_count();
  if (const auto ec = feed(message, Z_NO_FLUSH, out)) return ec;
  if (inflater_.finished()) {
    // The message ended with a BFINAL block and nothing after it: the tail is redundant.
    inflater_.continue_stream();
  } else {
    if (const auto ec = feed(kTail, Z_BLOCK, out)) return ec;
    if (inflater_.finished()) {
      inflater_.continue_stream();
    } else if (!inflater_.at_block_end()) {
      return inflater_.fail(CompressError::data_error);
    }
  }
  if (reset_each_) inflater_.reset();
  return {};
}

PmdDeflater::PmdDeflater(const PmdParams& p, bool we_are_client, int level, int mem_level)
    : deflater_(
          Format::raw,
          DeflateParams{level, we_are_client ? p.client_max_window_bits : p.server_max_window_bits,
                        mem_level}),
      reset_each_(we_are_client ? p.client_no_context_takeover : p.server_no_context_takeover) {}

std::error_code PmdDeflater::compress(std::string_view message, std::string& out) {
  out.clear();
  if (const auto ec = deflater_.compress_flush(message, out)) return ec;
  if (out.size() >= kTail.size() &&
      std::string_view(out).substr(out.size() - kTail.size()) == kTail) {
    out.resize(out.size() - kTail.size());
  }
  if (out.empty()) out.push_back('\0');
  if (reset_each_) deflater_.reset();
  return {};
}

}  // namespace pushbench::compress
