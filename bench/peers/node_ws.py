#!/usr/bin/python3
"""Our WebSocket and SSE servers vs a Node `ws` server on the same broadcast, same core.

Each server (pinned to CPU 0) runs one topic: N subscribers x R events/s x S bytes, driven by
`pushbench load --topic` (pinned to CPU 1) with --server-pid, REPEAT times in turn. Prints the
server CPU per delivered event and RSS per connection of each, and the ratios to ours. The Node
server (node_ws_server.js, `ws` from the npm registry, installed under build/peers) follows the
wire contract for broadcasts, so latency and loss are measured the same way.

Usage: bench/peers/node_ws.py [--connections 1000] [--rate 20] [--size 256] [--repeat 3]"""

import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def node_server(cpu):
    mods = peerlib.ensure_npm("ws", "8")
    d = tempfile.mkdtemp(prefix="pushbench-node-")
    port_file = os.path.join(d, "port")
    env = dict(os.environ, NODE_PATH=mods)
    p = peerlib.start(["node", os.path.join(HERE, "node_ws_server.js"), port_file], cpu, env)
    return p, int(peerlib.wait_for_file(port_file, p))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--connections", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=20)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    server_cpu, client_cpu = peerlib.cpus()
    results = {"pushbench ws": [], "pushbench sse": [], "node ws": []}
    for i in range(a.repeat):
        for name in results:
            if name == "node ws":
                proc, port = node_server(server_cpu)
                url = "ws://127.0.0.1:%d/ws" % port
            else:
                transport = name.split()[1]
                proc, port = peerlib.our_server(transport, server_cpu)
                url = ("ws://127.0.0.1:%d/ws" if transport == "ws" else "http://127.0.0.1:%d/sse") % port
            s, _ = peerlib.pushbench_load(
                ["--url", url, "-c", str(a.connections), "-r", "%g" % a.rate, "-s", str(a.size),
                 "--topic", "peers", "-d", "%g" % a.duration, "-w", "1", "--server-pid", str(proc.pid),
                 "--phase", "server"], client_cpu)
            peerlib.stop_all()
            cpu = s["server"]["cpu_ns_per_event"]
            rss = s["server"]["rss_bytes_per_connection"]
            results[name].append((cpu / 1e3 if cpu is not None else float("nan"),
                                  rss / 1024 if rss is not None else float("nan"),
                                  s["events"]["lost"], s["latency_us"]["corrected"]["p99"]))
            print("run %d %-14s server CPU %.2f us/event, RSS %.2f KiB/connection, lost %d, p99 %.0f us" %
                  ((i + 1, name) + results[name][-1]))
    ours = statistics.median(r[0] for r in results["pushbench ws"])
    for name, rs in results.items():
        cpu = statistics.median(r[0] for r in rs)
        rss = statistics.median(r[1] for r in rs)
        print("%-14s median server CPU %.2f us/event (%.2fx ours ws), RSS %.2f KiB/connection" %
              (name, cpu, cpu / ours if ours else float("nan"), rss))


if __name__ == "__main__":
    main()
