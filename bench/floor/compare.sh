#!/usr/bin/env bash
# Latency floor vs pushbench, in one run: the minimal C sender/receiver (pushbench-latency-floor)
# and pushbench's raw transport (1 connection x RATE events/s, 64 B), each pinned the same way
# (sender/server on CPU 0, receiver/load generator on CPU 1 when the machine has two), repeated
# REPEAT times in alternation. Prints each run's p50 and the ratio of the medians.
# Usage: bench/floor/compare.sh [RATE] [SECONDS] [REPEAT]      (defaults 100 5 3)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${PUSHBENCH_BIN:-$root/build/bin}"
rate="${1:-100}" seconds="${2:-5}" repeat="${3:-3}"
tmp="$(mktemp -d)"
server_pid=""
cleanup() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
pin0=() pin1=() floor_cpus=()
if [[ "$(nproc)" -ge 2 ]]; then pin0=(taskset -c 0) pin1=(taskset -c 1) floor_cpus=(0 1); fi

"${pin0[@]}" "$bin/pushbench-server" --transport raw --port-file "$tmp/port" --quiet &
server_pid=$!
for _ in $(seq 50); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
port="$(cat "$tmp/port")"

floor=() ours=()
for i in $(seq "$repeat"); do
  # The floor's sender on the server's CPU, its receiver on the load generator's.
  f=$("$bin/pushbench-latency-floor" "$rate" "$seconds" 1 "${floor_cpus[@]}" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["p50_us"])')
  "${pin1[@]}" "$bin/pushbench" load --url "tcp://127.0.0.1:$port" -c 1 -r "$rate" -s 64 \
    -d "$seconds" -w 1 --phase aligned --progress never --out "$tmp/run.json" >/dev/null
  o=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["scenarios"][0]["latency_us"]["corrected"]["p50"])' "$tmp/run.json")
  echo "run $i: floor p50 ${f} us, pushbench raw p50 ${o} us"
  floor+=("$f") ours+=("$o")
done
/usr/bin/python3 - "${floor[*]}" "${ours[*]}" <<'PY'
import statistics, sys
f = [float(x) for x in sys.argv[1].split()]
o = [float(x) for x in sys.argv[2].split()]
mf, mo = statistics.median(f), statistics.median(o)
print("median p50: floor %.1f us, pushbench raw %.1f us, ratio %.2f" % (mf, mo, mo / mf if mf else float("nan")))
PY
