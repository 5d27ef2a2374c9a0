#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test with ctest,
# first in a Release build, then in an AddressSanitizer + UndefinedBehaviorSanitizer build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
jobs="$(nproc)"

BUILD_DIR="$root/build" "$root/scripts/build.sh"
(cd "$root/build" && ctest --output-on-failure -j "$jobs")

if [[ "${PUSHBENCH_SKIP_SANITIZE:-0}" != "1" ]]; then
  BUILD_DIR="$root/build-sanitize" "$root/scripts/build.sh" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPUSHBENCH_SANITIZE=ON -DPUSHBENCH_BENCH=OFF
  (cd "$root/build-sanitize" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --output-on-failure -j "$jobs")
fi
