#!/usr/bin/env bash
# Latency floor vs pushbench, in one run: the minimal C sender/receiver (pushbench-latency-floor),
# pushbench's raw transport (1 connection x RATE events/s, 64 B), and pushbench's server in front
# of the floor's minimal receiver (`pushbench-latency-floor receive`), each pinned the same way
# (sender/server on CPU 0, receiver/load generator on CPU 1 when the machine has two), repeated
# REPEAT times in turn. Prints each run's p50s and the ratios of the medians: pushbench / floor,
# and that ratio split into the server's part (server + minimal receiver / floor) and the load
# generator's (pushbench / server + minimal receiver).
# With --busy-poll first, all three receivers spin instead of sleeping (the floor's and the
# minimal receiver's --spin, pushbench load --busy-poll): the same comparison without the
# receiver's wake-up.
# Usage: bench/floor/compare.sh [--busy-poll] [RATE] [SECONDS] [REPEAT]      (defaults 100 5 3)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${PUSHBENCH_BIN:-$root/build/bin}"
spin=() busy=()
if [[ "${1:-}" == "--busy-poll" ]]; then spin=(--spin) busy=(--busy-poll); shift; fi
rate="${1:-100}" seconds="${2:-5}" repeat="${3:-3}"
tmp="$(mktemp -d)"
server_pid=""
cleanup() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
pin0=() pin1=() floor_cpus=()
if [[ "$(nproc)" -ge 2 ]]; then pin0=(taskset -c 0) pin1=(taskset -c 1) floor_cpus=(0 1); fi
if [[ ${#spin[@]} -gt 0 && ${#pin1[@]} -eq 0 ]]; then
  echo "compare.sh: --busy-poll needs two CPUs (a spinning receiver on one CPU with its sender measures the scheduler)" >&2
  exit 2
fi

"${pin0[@]}" "$bin/pushbench-server" --transport raw --port-file "$tmp/port" --quiet &
server_pid=$!
for _ in $(seq 50); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
port="$(cat "$tmp/port")"

# One measurement of each kind, appended to $rows as "<kind> <json>".
run_floor() {
  # The floor's sender on the server's CPU, its receiver on the load generator's.
  "$bin/pushbench-latency-floor" "${spin[@]}" "$rate" "$seconds" 1 "${floor_cpus[@]}" | sed 's/^/floor /' >>"$rows"
}
run_pushbench() {
  "${pin1[@]}" "$bin/pushbench" load --url "tcp://127.0.0.1:$port" -c 1 -r "$rate" -s 64 \
    -d "$seconds" -w 1 --phase aligned --progress never "${busy[@]}" --out "$tmp/run.json" >/dev/null
  /usr/bin/python3 -c 'import json,sys
l = json.load(open(sys.argv[1]))["scenarios"][0]["latency_us"]
print("pushbench", json.dumps({"p50_us": l["corrected"]["p50"], "uncorrected_p50_us": l["uncorrected"]["p50"]}))' \
    "$tmp/run.json" >>"$rows"
}
run_mixed() {
  # pushbench's server, the floor's receiver on the load generator's CPU.
  "$bin/pushbench-latency-floor" "${spin[@]}" receive "$port" "$rate" "$seconds" 1 "${floor_cpus[@]:1}" | sed 's/^/mixed /' >>"$rows"
}

rows="$tmp/rows"
kinds=(floor pushbench mixed)
for i in $(seq "$repeat"); do
  # The order shifts by one each run, so that each of the three runs first in a third of the
  # runs (the cyclic order stays floor, pushbench, minimal receiver).
  for k in 0 1 2; do "run_${kinds[$(((i + k) % 3))]}"; done
  tail -n 3 "$rows" | sed "s/^/run $i: /"
done
echo "receivers: $([[ ${#spin[@]} -gt 0 ]] && echo "spinning (--busy-poll)" || echo "blocking")"
/usr/bin/python3 - "$rows" <<'PY'
import json, random, statistics, sys
runs = {"floor": [], "pushbench": [], "mixed": []}
for line in open(sys.argv[1]):
    who, obj = line.split(" ", 1)
    runs[who].append(json.loads(obj))
n = len(runs["floor"])
def med(who, key, idx=None):
    rows = runs[who] if idx is None else [runs[who][i] for i in idx]
    vals = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(vals) if vals else float("nan")
def ratio(a, b):
    return a / b if b else float("nan")
def pooled(a, b, idx=None):
    return ratio(med(a, "p50_us", idx), med(b, "p50_us", idx))
def paired(a, b, idx=None):
    idx = range(n) if idx is None else idx
    return statistics.median(ratio(runs[a][i]["p50_us"], runs[b][i]["p50_us"]) for i in idx)
rng = random.Random(1)  # seeded: the same rows give the same interval
def ci(stat, a, b):
    # 95 % percentile bootstrap over runs (each run's three measurements resampled together).
    if n < 5:
        return "n/a"
    boot = sorted(stat(a, b, [rng.randrange(n) for _ in range(n)]) for _ in range(2000))
    return "%.2f-%.2f" % (boot[49], boot[1949])
f, o, m = med("floor", "p50_us"), med("pushbench", "p50_us"), med("mixed", "p50_us")
print("median p50 over %d runs: floor %.1f us, pushbench raw %.1f us, ratio %.2f (95 %% CI %s)"
      % (n, f, o, pooled("pushbench", "floor"), ci(pooled, "pushbench", "floor")))
print("median of the runs' ratios: pushbench / floor %.2f (95 %% CI %s)"
      % (paired("pushbench", "floor"), ci(paired, "pushbench", "floor")))
print("split: pushbench server + minimal receiver %.1f us; server's part %.2f (CI %s), load generator's part %.2f (CI %s)"
      % (m, pooled("mixed", "floor"), ci(pooled, "mixed", "floor"), pooled("pushbench", "mixed"),
         ci(pooled, "pushbench", "mixed")))
print("median sender lateness: floor %.1f us, pushbench server %.1f us"
      % (med("floor", "sender_late_p50_us"), med("mixed", "sender_late_p50_us")))
print("median send-to-receive (uncorrected): floor %.1f us, pushbench server + minimal receiver %.1f us,"
      " pushbench %.1f us" % (med("floor", "uncorrected_p50_us"), med("mixed", "uncorrected_p50_us"),
                              med("pushbench", "uncorrected_p50_us")))
PY
