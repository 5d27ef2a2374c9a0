#include "servers/stream/resume_registry.hpp"

namespace pushbench::server {

ResumeRegistry::Outcome ResumeRegistry::resolve(StreamSpec& spec, std::optional<std::uint64_t> last,
                                                std::int64_t now_ns) {
  // A new stream begins on its schedule grid (the client's epoch), like any other.
  std::int64_t start = spec.first_due_ns(now_ns);
  {
    std::lock_guard lock(mutex_);
    const auto it = starts_.find(*spec.stream_id);
    if (it != starts_.end()) {
      start = it->second;
    } else {
      if (starts_.size() >= max_streams_) {
        // Forget streams that began more than ten minutes ago before refusing new ones.
        const std::int64_t cutoff = now_ns - 600'000'000'000;
        std::erase_if(starts_, [&](const auto& e) { return e.second < cutoff; });
        if (starts_.size() >= max_streams_) return Outcome::full;
      }
      starts_.emplace(*spec.stream_id, start);
    }
  }
  spec.start_ns = start;
  // Events older than the history bound are gone: the client sees them as lost. A client that
  // names a known stream without saying what it has gets the history, not the whole past.
  spec.first_seq = last ? *last + 1 : 0;
  const auto due_now = static_cast<std::uint64_t>(std::max<std::int64_t>(
      0, (now_ns - start) / std::max<std::int64_t>(1, spec.period_ns())));
  if (due_now > history_ && spec.first_seq < due_now - history_) {
    spec.first_seq = due_now - history_;
  }
  // A client cannot have seen events that are not due yet (and a huge last_seq must not wrap).
  spec.first_seq = std::min(spec.first_seq, due_now + 1);
  if (spec.count && spec.first_seq >= *spec.count) return Outcome::complete;
  if (spec.duration_s &&
      spec.intended_ns(start, spec.first_seq) >= start + static_cast<std::int64_t>(*spec.duration_s * 1e9)) {
    return Outcome::complete;
  }
  return Outcome::stream;
}

}  // namespace pushbench::server
