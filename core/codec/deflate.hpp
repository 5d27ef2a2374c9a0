// Streaming DEFLATE compression (zlib) for HTTP content codings and WebSocket permessage-deflate.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace pushbench::compress {

// The container around the DEFLATE data.
enum class Format {
  gzip,  // RFC 1952: HTTP "gzip"
  zlib,  // RFC 1950: HTTP "deflate"
  raw,   // RFC 1951 without a wrapper, as permessage-deflate (RFC 7692) uses it
};

// Failures of the compressors and of permessage-deflate negotiation; usable as std::error_code
// (category "compress").
enum class CompressError {
  init_failed = 1,     // zlib could not set up (or grow) its state, or the object was moved from
  data_error,          // corrupt or truncated compressed input, or bytes after the stream's end
  output_too_large,    // decompressed output exceeds the configured limit
  bad_parameters,      // parameters out of range, or a call after finish()
  negotiation_failed,  // unacceptable Sec-WebSocket-Extensions response
};

// The singleton category of CompressError; its name() is "compress".
const std::error_category& compress_category() noexcept;

std::error_code make_error_code(CompressError e) noexcept;

struct DeflateParams {
  // 0 (stored) .. 9 (best), or -1 for zlib's default (6).
  int level = 6;
  // Base-2 logarithm of the LZ77 window, 8..15. zlib refuses 8 for raw and gzip streams, so 8 is
  // compressed with 9, as browsers do; zlib's 9-bit window never reaches back more than 250 bytes,
  // so the output still fits a peer that allows only 8.
  int window_bits = 15;
  // Hash-table memory, 1..9: higher is faster and compresses better, at 2^(mem_level+9) bytes.
  int mem_level = 8;

  // True when every field is in range.
  bool valid() const;
};

// Streaming compressor for one HTTP response body (or one WebSocket connection). Not copyable;
// movable (a moved-from Deflater is !ok()). Output is appended, never cleared.
class Deflater {
 public:
  // Sets up zlib; check ok() afterwards. Invalid `params` leave it !ok(), and every call then
  // returns bad_parameters (init_failed if zlib itself failed).
  Deflater(Format format, DeflateParams params);
  Deflater(Deflater&&) noexcept;
  Deflater& operator=(Deflater&&) noexcept;
  ~Deflater();

  // True when the compressor is usable.
  bool ok() const;

  // Compresses `in` and appends the output to `out`, ending with Z_SYNC_FLUSH so that the peer
  // can decode everything given so far (nothing waits in the compressor). Keeps the dictionary
  // (context takeover) unless reset() is called. An empty `in` right after a flush appends
  // nothing.
  std::error_code compress_flush(std::string_view in, std::string& out);
  // Like compress_flush() but with Z_FULL_FLUSH: the output that follows does not refer to data
  // given before this call returned.
  std::error_code compress_full_flush(std::string_view in, std::string& out);
  // Z_FINISH: appends the end of the stream (final block, gzip/zlib trailer). Afterwards only
  // reset() makes the Deflater usable; compress calls return bad_parameters and another finish()
  // appends nothing.
  std::error_code finish(std::string& out);

  // Starts a new stream with the same parameters (deflateReset): the dictionary is forgotten and a
  // gzip/zlib header is written again.
  void reset();

  // Bytes of zlib state by zlib's formula: 2^(window_bits+2) + 2^(mem_level+9) plus about 6 KiB
  // for the state structure, with the window actually used (8 counts as 9); 0 when the
  // parameters are invalid or the Deflater was moved from.
  std::size_t memory_estimate() const;

 private:
  std::error_code run(std::string_view in, std::string& out, int flush);

  struct Impl;
  std::unique_ptr<Impl> impl_;  // null when moved from
};

class PmdInflater;

// Streaming decompressor: any split of the compressed input gives the same output. Not copyable;
// movable (a moved-from Inflater is !ok()).
class Inflater {
 public:
  // `window_bits` (8..15) bounds the window of a raw stream; gzip and zlib streams are accepted
  // with any window up to 15 (zlib's header states its own). `max_output` bounds the bytes
  // produced between resets. Check ok() afterwards.
  Inflater(Format format, int window_bits = 15, std::size_t max_output = 64 << 20);
  Inflater(Inflater&&) noexcept;
  Inflater& operator=(Inflater&&) noexcept;
  ~Inflater();

  // True when the decompressor was set up.
  bool ok() const;

  // Decompresses `in`, appending to `out`. Errors: data_error (corrupt input, or any byte after
  // the end of the stream), output_too_large (the output since reset() or
  // restart_output_count() would exceed max_output; `out` then holds exactly the allowed bytes
  // of it). Errors are sticky until reset(). A truncated stream is no error: it simply is not
  // finished().
  std::error_code inflate(std::string_view in, std::string& out);

  // True once the end of the stream was decoded (Z_STREAM_END).
  bool finished() const;

  // Starts over for a new stream: clears the window, the output count, finished() and any error.
  void reset();

  // Starts a new max_output budget without touching the stream, for long-lived streams bounded per
  // event or per read rather than in total. Does not clear an error.
  void restart_output_count();

 private:
  friend class PmdInflater;

  // Decodes from `in` until it is used up or the stream ends; `consumed` is set to the bytes of
  // `in` used. `flush` is passed to zlib (Z_BLOCK stops at block ends, see at_block_end()).
  std::error_code inflate_some(std::string_view in, std::string& out, int flush,
                               std::size_t& consumed);
  // Raw format, at the end of a stream: starts the next stream with the window of the previous
  // one, so its back-references may reach into the data decoded so far.
  void continue_stream();
  // True when the last inflate_some() (with Z_BLOCK) stopped right after the end of a block.
  bool at_block_end() const;
  std::error_code fail(std::error_code ec);

  struct Impl;
  std::unique_ptr<Impl> impl_;  // null when moved from
};

}  // namespace pushbench::compress

template <>
struct std::is_error_code_enum<pushbench::compress::CompressError> : std::true_type {};
