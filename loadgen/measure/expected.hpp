#pragma once
// What a stream's schedule promises inside the measurement window: the loss figures count
// against it.
#include <cstdint>

#include "core/contract/workload.hpp"

namespace pushbench::loadgen {

/// The first sequence number of a stream started at `start_ns` (event k due at start + k x
/// period) that falls due at or after `t_ns`; negative when t_ns lies before the start.
std::int64_t first_seq_due(std::int64_t start_ns, std::int64_t period_ns, std::int64_t t_ns);

/// Events of one stream that fall due in [window_start_ns, window_end_ns): the stream starts at
/// `start_ns`, its first event on this connection is `base_seq` (a resumed stream), and it ends
/// at `spec.count` or `spec.duration_s` when set. In count mode the window has no end.
std::uint64_t expected_in_window(const StreamSpec& spec, std::int64_t start_ns,
                                 std::uint64_t base_seq, std::int64_t window_start_ns,
                                 std::int64_t window_end_ns, bool count_mode);

}  // namespace pushbench::loadgen
