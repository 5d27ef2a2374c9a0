#include "core/codec/deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <utility>

namespace pushbench::compress {
namespace {

class CompressCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "compress"; }

  std::string message(int ev) const override {
    switch (static_cast<CompressError>(ev)) {
      case CompressError::init_failed:
        return "compressor could not be initialized";
      case CompressError::data_error:
        return "corrupt compressed data";
      case CompressError::output_too_large:
        return "decompressed output exceeds the limit";
      case CompressError::bad_parameters:
        return "invalid compression parameters or call order";
      case CompressError::negotiation_failed:
        return "permessage-deflate negotiation failed";
    }
    return "unknown compress error";
  }
};

// zlib counts in uInt; larger inputs are fed in slices of this size.
constexpr std::size_t kMaxSlice = std::size_t{1} << 30;

// zlib wants mutable pointers for its input even though it never writes through them.
Bytef* input_ptr(const char* p) {
  return reinterpret_cast<Bytef*>(const_cast<char*>(p));
}

// The window zlib actually uses: it encodes a request for 8 bits with 9.
int effective_window_bits(int window_bits) {
  return std::max(window_bits, 9);
}

// windowBits argument for deflateInit2/inflateInit2.
int zlib_window_bits(Format format, int window_bits) {
  switch (format) {
    case Format::gzip:
      return window_bits + 16;
    case Format::zlib:
      return window_bits;
    case Format::raw:
      return -window_bits;
  }
  return window_bits;
}

// Inflate output goes through a per-thread buffer and is appended to the caller's string, so that
// small inputs do not pay for zero-filling a large resize() and connections share the memory.
constexpr std::size_t kScratchBytes = 32 << 10;

Bytef* inflate_scratch() {
  thread_local std::unique_ptr<Bytef[]> buffer(new Bytef[kScratchBytes]);
  return buffer.get();
}

}  // namespace

const std::error_category& compress_category() noexcept {
  static const CompressCategory category;
  return category;
}

std::error_code make_error_code(CompressError e) noexcept {
  return {static_cast<int>(e), compress_category()};
}

bool DeflateParams::valid() const {
  return level >= -1 && level <= 9 && window_bits >= 8 && window_bits <= 15 && mem_level >= 1 &&
         mem_level <= 9;
}

// ---------------------------------------------------------------------------------------------
// The zlib stream both share

namespace {

// One zlib stream that its end function (deflateEnd or inflateEnd) releases once it was
// initialized, and the input it is being fed. Lives inside a heap-allocated Impl because zlib
// keeps a pointer to it.
class ZStream {
 public:
  using EndFn = int (*)(z_streamp);
  explicit ZStream(EndFn end) : end_(end) {}
  ZStream(const ZStream&) = delete;
  ZStream& operator=(const ZStream&) = delete;
  ~ZStream() {
    if (initialized_) end_(&z);
  }

  // Takes the result of the init call (deflateInit2, inflateInit2): init_failed unless Z_OK.
  std::error_code adopt(int init_result) {
    initialized_ = init_result == Z_OK;
    return initialized_ ? std::error_code() : CompressError::init_failed;
  }
  // True once the init call succeeded (the end call is then due).
  bool initialized() const { return initialized_; }

  // Starts feeding `in`, which must outlive the calls that follow.
  void start_input(std::string_view in) {
    next_ = in.data();
    left_ = in.size();
    z.avail_in = 0;
  }
  // Gives zlib the next slice of the input once it used up the last one.
  void feed() {
    if (z.avail_in != 0 || left_ == 0) return;
    const std::size_t slice = std::min(left_, kMaxSlice);
    z.next_in = input_ptr(next_);
    z.avail_in = static_cast<uInt>(slice);
    next_ += slice;
    left_ -= slice;
  }
  // Input bytes not yet handed to zlib.
  std::size_t left() const { return left_; }

  z_stream z{};  // zlib state

 private:
  EndFn end_;
  bool initialized_ = false;    // the init call succeeded, so the end call is due
  const char* next_ = nullptr;  // the input not yet handed to zlib
  std::size_t left_ = 0;        // its size
};

// True when `impl` (a Deflater's or Inflater's) holds an initialized stream.
template <typename Impl>
bool usable(const std::unique_ptr<Impl>& impl) {
  return impl && impl->stream.initialized();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Deflater

struct Deflater::Impl {
  ZStream stream{&deflateEnd};  // the zlib stream, ended with deflateEnd
  DeflateParams params;         // as requested (window 8 is used as 9)
  bool finished = false;        // finish() completed; only reset() helps
  std::error_code init_error;   // why the Deflater is !ok()
};

Deflater::Deflater(Format format, DeflateParams params) : impl_(std::make_unique<Impl>()) {
  impl_->params = params;
  if (!params.valid()) {
    impl_->init_error = CompressError::bad_parameters;
    return;
  }
  int bits = params.window_bits;
  if (format != Format::zlib) bits = effective_window_bits(bits);
  impl_->init_error = impl_->stream.adopt(deflateInit2(&impl_->stream.z, params.level, Z_DEFLATED,
                                                       zlib_window_bits(format, bits),
                                                       params.mem_level, Z_DEFAULT_STRATEGY));
}

Deflater::Deflater(Deflater&&) noexcept = default;

Deflater& Deflater::operator=(Deflater&&) noexcept = default;

Deflater::~Deflater() = default;

bool Deflater::ok() const {
  return usable(impl_);
}

std::error_code Deflater::compress_flush(std::string_view in, std::string& out) {
  return run(in, out, Z_SYNC_FLUSH);
}

std::error_code Deflater::compress_full_flush(std::string_view in, std::string& out) {
  return run(in, out, Z_FULL_FLUSH);
}

std::error_code Deflater::finish(std::string& out) {
  return run({}, out, Z_FINISH);
}

std::error_code Deflater::run(std::string_view in, std::string& out, int flush) {
  if (!impl_) return CompressError::init_failed;
  if (!impl_->stream.initialized()) return impl_->init_error;
  if (impl_->finished) {
    if (flush == Z_FINISH) return {};
    return CompressError::bad_parameters;
  }
  ZStream& stream = impl_->stream;
  z_stream& z = stream.z;
  stream.start_input(in);
  for (;;) {
    stream.feed();
    const int mode = stream.left() > 0 ? Z_NO_FLUSH : flush;
    // Room for all of it in one go; the flush marker and a partial byte need a few more bytes.
    const std::size_t room = deflateBound(&z, z.avail_in) + 16;
    const std::size_t old = out.size();
    out.resize(old + room);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + old);
    z.avail_out = static_cast<uInt>(room);
    const int rc = deflate(&z, mode);
    out.resize(old + room - z.avail_out);
    if (rc == Z_STREAM_END) {
      impl_->finished = true;
      return {};
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) return CompressError::bad_parameters;
    if (mode == Z_FINISH) {
      if (rc == Z_BUF_ERROR && z.avail_out == room) return CompressError::bad_parameters;
      continue;
    }
    // Z_BUF_ERROR: nothing to do, e.g. a flush with no new input right after another flush.
    if (mode != Z_NO_FLUSH && z.avail_out != 0 && z.avail_in == 0) return {};
  }
}

void Deflater::reset() {
  if (!ok()) return;
  deflateReset(&impl_->stream.z);
  impl_->finished = false;
}

std::size_t Deflater::memory_estimate() const {
  if (!impl_ || !impl_->params.valid()) return 0;
  const int bits = effective_window_bits(impl_->params.window_bits);
  return (std::size_t{1} << (bits + 2)) + (std::size_t{1} << (impl_->params.mem_level + 9)) +
         6 * 1024;
}

// ---------------------------------------------------------------------------------------------
// Inflater

struct Inflater::Impl {
  ZStream stream{&inflateEnd};  // the zlib stream, ended with inflateEnd
  Format format = Format::raw;  // container being decoded
  std::size_t max_output = 0;   // output allowed between resets
  std::size_t produced = 0;     // output since the last reset (or restart_output_count())
  bool finished = false;        // Z_STREAM_END seen
  std::error_code error;        // sticky failure, or why the Inflater is !ok()
};

Inflater::Inflater(Format format, int window_bits, std::size_t max_output)
    : impl_(std::make_unique<Impl>()) {
  impl_->format = format;
  impl_->max_output = max_output;
  if (window_bits < 8 || window_bits > 15) {
    impl_->error = CompressError::bad_parameters;
    return;
  }
  int bits = 0;
  switch (format) {
    case Format::gzip:
      bits = 15 + 16;
      break;
    case Format::zlib:
      bits = 0;  // the window size stated in the zlib header, up to 15
      break;
    case Format::raw:
      bits = -window_bits;
      break;
  }
  impl_->error = impl_->stream.adopt(inflateInit2(&impl_->stream.z, bits));
}

Inflater::Inflater(Inflater&&) noexcept = default;

Inflater& Inflater::operator=(Inflater&&) noexcept = default;

Inflater::~Inflater() = default;

bool Inflater::ok() const {
  return usable(impl_);
}

bool Inflater::finished() const {
  return impl_ && impl_->finished;
}

void Inflater::reset() {
  if (!ok()) return;
  inflateReset(&impl_->stream.z);
  impl_->produced = 0;
  impl_->finished = false;
  impl_->error.clear();
}

std::error_code Inflater::fail(std::error_code ec) {
  impl_->error = ec;
  return ec;
}

std::error_code Inflater::inflate(std::string_view in, std::string& out) {
  std::size_t consumed = 0;
  if (const auto ec = inflate_some(in, out, Z_NO_FLUSH, consumed)) return ec;
  if (consumed < in.size()) return fail(CompressError::data_error);
  return {};
}

std::error_code Inflater::inflate_some(std::string_view in, std::string& out, int flush,
                                       std::size_t& consumed) {
  consumed = 0;
  if (!impl_) return CompressError::init_failed;
  if (impl_->error) return impl_->error;
  if (in.empty() || impl_->finished) return {};
  ZStream& stream = impl_->stream;
  z_stream& z = stream.z;
  stream.start_input(in);
  for (;;) {
    stream.feed();
    // One byte over the budget detects an overrun.
    const std::size_t budget = impl_->max_output - impl_->produced;
    const std::size_t room = budget < kScratchBytes ? budget + 1 : kScratchBytes;
    Bytef* scratch = inflate_scratch();
    z.next_out = scratch;
    z.avail_out = static_cast<uInt>(room);
    const uInt avail_in_before = z.avail_in;
    const int rc = ::inflate(&z, flush);
    const std::size_t written = room - z.avail_out;
    if (written > budget) {
      out.append(reinterpret_cast<const char*>(scratch), budget);
      impl_->produced = impl_->max_output;
      return fail(CompressError::output_too_large);
    }
    out.append(reinterpret_cast<const char*>(scratch), written);
    impl_->produced += written;
    switch (rc) {
      case Z_OK:
        break;
      case Z_BUF_ERROR:  // no progress possible: all input used and all output written
        if (z.avail_in != 0 && z.avail_in == avail_in_before && written == 0) {
          return fail(CompressError::data_error);
        }
        break;
      case Z_STREAM_END:
        impl_->finished = true;
        consumed = in.size() - stream.left() - z.avail_in;
        return {};
      case Z_MEM_ERROR:
        return fail(CompressError::init_failed);
      default:  // Z_DATA_ERROR, Z_NEED_DICT (a zlib stream using a preset dictionary)
        return fail(CompressError::data_error);
    }
    if (z.avail_in == 0 && stream.left() == 0 && z.avail_out != 0) {
      consumed = in.size();
      return {};
    }
  }
}

void Inflater::continue_stream() {
  if (!ok() || impl_->format != Format::raw) return;
  z_stream& z = impl_->stream.z;
  std::array<Bytef, 1 << 15> window;
  uInt length = 0;
  inflateGetDictionary(&z, window.data(), &length);
  inflateReset(&z);
  if (length > 0) inflateSetDictionary(&z, window.data(), length);
  impl_->finished = false;
}

bool Inflater::at_block_end() const {
  return ok() && (impl_->stream.z.data_type & 128) != 0;
}

void Inflater::restart_output_count() {
  if (impl_) impl_->produced = 0;
}

}  // namespace pushbench::compress
