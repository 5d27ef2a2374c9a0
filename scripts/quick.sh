#!/usr/bin/env bash
# The README's main command: installs what is missing, builds if needed, runs the quick comparison
# suite (SSE vs WebSocket vs raw TCP, servers spawned on loopback), prints the comparison table,
# writes results/quick.json and charts in results/quick/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
BUILD_DIR="$root/build" "$root/scripts/build.sh"
"$root/build/bin/pushbench" run --out "$root/results/quick.json" "$@"
MPLBACKEND=Agg /usr/bin/python3 "$root/scripts/plot.py" "$root/results/quick.json" \
  --out "$root/results/quick"
