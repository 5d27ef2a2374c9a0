#!/usr/bin/env bash
# ctest: the container image runs a shard. Starts its own dockerd (--iptables=false
# --bridge=none: no NAT rules, so no connection tracking for later benchmarks; own socket, data
# and exec roots in a temp dir), imports a Debian 12 base made locally (scripts/debian-base-image.sh,
# no registry), builds the image from this build's binaries (Dockerfile.local), runs shard 0/2 in
# a container with host networking against a loopback server while shard 1/2 runs on the host,
# with one --start-at, merges the two reports, and stops dockerd (also on failure), checking that
# no DOCKER iptables rule exists afterwards.
#   image_test.sh SOURCE_DIR BIN_DIR        exit 0 pass, 1 fail, 77 skipped (not root, no docker.io
#                                           or debootstrap, or the base cannot be made)
set -euo pipefail
src=$1
bin=$2
skip() { echo "SKIP: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "dockerd needs root"
dockerd=/usr/sbin/dockerd
docker=/usr/bin/docker
[[ -x $dockerd && -x $docker ]] || skip "Debian's docker.io is not installed"
command -v debootstrap >/dev/null || skip "debootstrap is not installed"
command -v iptables >/dev/null || skip "iptables is not installed"
tarball=$("$src/scripts/debian-base-image.sh") || skip "cannot make the Debian base (debootstrap failed)"

t=$(mktemp -d /tmp/pushbench-docker-XXXXXX)
dpid=
spid=
stop_dockerd() {
  [[ -n $dpid ]] || return 0
  kill "$dpid" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$dpid" 2>/dev/null || true
  wait "$dpid" 2>/dev/null || true
  dpid=
  # Mounts the daemon left under its roots (overlay layers, netns files).
  grep -o " $t/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
}
cleanup() {
  set +e
  if [[ -n $spid ]]; then kill "$spid"; wait "$spid"; fi
  stop_dockerd
  rm -rf "$t"
}
trap cleanup EXIT

"$dockerd" --iptables=false --ip-masq=false --bridge=none --data-root "$t/data" \
  --exec-root "$t/exec" --pidfile "$t/dockerd.pid" -H "unix://$t/docker.sock" \
  >"$t/dockerd.log" 2>&1 &
dpid=$!
d() { "$docker" -H "unix://$t/docker.sock" "$@"; }
for _ in $(seq 300); do d version >/dev/null 2>&1 && break; sleep 0.1; done
d version >/dev/null 2>&1 || { tail -20 "$t/dockerd.log"; echo "FAIL: dockerd did not start"; exit 1; }

d import "$tarball" pushbench-debian:12 >/dev/null
mkdir -p "$t/ctx/bin"
cp "$bin/pushbench" "$bin/pushbench-server" "$t/ctx/bin/"
cp "$src/Dockerfile.local" "$t/ctx/"
d build -q --network host -f "$t/ctx/Dockerfile.local" --build-arg BASE=pushbench-debian:12 \
  -t pushbench:local "$t/ctx" >/dev/null

"$bin/pushbench-server" --transport sse --port-file "$t/port" --quiet &
spid=$!
for _ in $(seq 300); do [[ -s $t/port ]] && break; sleep 0.01; done
port=$(cat "$t/port")
at=$(($(date +%s%N) + 4000000000))
args=(load --url "http://127.0.0.1:$port/sse" -c 6 --count 40 --rate 100 -w 0 -d 20 --drain 1
      --start-at "$at" --name image --progress never)
"$bin/pushbench" "${args[@]}" --shard 1/2 --out "$t/shard1.json" >/dev/null &
host_shard=$!
d run --rm --network host pushbench:local pushbench "${args[@]}" --shard 0/2 --json >"$t/shard0.json"
wait "$host_shard"
"$bin/pushbench" merge --shards "$t/shard0.json" "$t/shard1.json" --out "$t/merged.json"
/usr/bin/python3 "$src/scripts/validate_report.py" "$src/core/report.schema.json" "$t/merged.json"
/usr/bin/python3 - "$t" <<'PY'
import json, sys
t = sys.argv[1]
m = json.load(open(f"{t}/merged.json"))["scenarios"][0]
assert m["events"]["expected"] == 240 and m["events"]["received"] == 240, m["events"]
for k in (0, 1):
    s = json.load(open(f"{t}/shard{k}.json"))["scenarios"][0]
    where = "container" if k == 0 else "host"
    print(f"shard {k} ({where}): {s['events']['received']} events, start skew "
          f"{s['clock']['start_skew_us']:.0f} us")
PY

stop_dockerd
rules=$(iptables -S | grep -c DOCKER || true)
[[ $rules == 0 ]] || { echo "FAIL: $rules DOCKER iptables rules remain"; exit 1; }
pgrep -f "$t/docker.sock" >/dev/null && { echo "FAIL: dockerd still running"; exit 1; }
echo "PASS: image shard merged with the host shard; dockerd stopped; 0 DOCKER iptables rules"
