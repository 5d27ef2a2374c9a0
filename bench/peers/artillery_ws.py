#!/usr/bin/python3
"""Artillery 2 (WebSocket engine, receive only) vs pushbench load: client CPU per received event.

Our WebSocket server (pinned to CPU 0) runs one broadcast topic to N connections at R events/s
(64 B); Artillery (npm `artillery@2`, installed under build/peers) holds N connections that only
receive, then `pushbench load --topic` does the same, each pinned to CPU 1, REPEAT times in turn.
Events delivered come from the server's /stats (events_sent) for both; the client's CPU is its
whole process tree's (wait4), minus its idle cost (the same client holding N connections to a
topic at 0.001 events/s for the same time). pushbench also timestamps, parses and checks every
event; Artillery does not.

Usage: bench/peers/artillery_ws.py [--connections 100] [--rate 200] [--duration 10] [--repeat 3]
(--rate 200 x 100 connections = 20,000 events/s; --rate 1000 = 100,000 events/s)"""

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402


_topics = itertools.count()


def fresh_topic():
    """A topic per run: a topic takes its rate from its first subscriber and outlives it."""
    return "peer%d-%d" % (os.getpid(), next(_topics))


def events_sent(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/stats" % port, timeout=5) as r:
        return json.load(r)["events_sent"]


def artillery_run(mods, port, connections, rate, duration, cpu):
    d = tempfile.mkdtemp(prefix="pushbench-artillery-")
    script = os.path.join(d, "ws.yml")
    topic = fresh_topic()
    with open(script, "w") as f:
        f.write("config:\n  target: \"ws://127.0.0.1:%d/ws?rate=%g&size=64&topic=%s\"\n"
                "  phases:\n    - duration: 1\n      arrivalCount: %d\n"
                "scenarios:\n  - engine: ws\n    flow:\n      - think: %g\n"
                % (port, rate, topic, connections, duration))
    before = events_sent(port)
    start = time.monotonic()
    rc, out, cpu_s = peerlib.measured(
        ["node", os.path.join(mods, "artillery", "bin", "run"), "run", "--quiet", script], cpu,
        timeout=int(duration) + 120)
    if rc != 0:
        raise SystemExit("artillery failed (%d):\n%s" % (rc, out[-2000:]))
    return cpu_s, events_sent(port) - before, time.monotonic() - start


def pushbench_run(port, connections, rate, duration, cpu):
    before = events_sent(port)
    start = time.monotonic()
    _, cpu_s = peerlib.pushbench_load(
        ["--url", "ws://127.0.0.1:%d/ws" % port, "-c", str(connections), "-r", "%g" % rate, "-s", "64",
         "--topic", fresh_topic(), "-d", "%g" % duration, "-w", "0", "--drain", "0.5",
         "--phase", "server"], cpu)
    return cpu_s, events_sent(port) - before, time.monotonic() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    mods = peerlib.ensure_npm("artillery", "2")
    server_cpu, client_cpu = peerlib.cpus()
    _, port = peerlib.our_server("ws", server_cpu)
    ours, theirs = [], []
    for i in range(a.repeat):
        for name, run, out in (("artillery", lambda *x: artillery_run(mods, *x), theirs),
                               ("pushbench", pushbench_run, ours)):
            idle_cpu, _, _ = run(port, a.connections, 0.001, a.duration, client_cpu)
            busy_cpu, events, busy_wall = run(port, a.connections, a.rate, a.duration, client_cpu)
            if events <= 0:
                raise SystemExit("%s received nothing" % name)
            out.append((busy_cpu - idle_cpu) * 1e6 / events)
            # The events' CPU (busy minus idle, so start-up and the idle connections do not count)
            # over the window: the cores the client needs for this rate. Pinned to one CPU, a
            # client that needs 90 % of it or more cannot keep up: it reads the backlog from its
            # socket buffers late, so its CPU per event still counts every event, but not at the
            # rate asked.
            cores = (busy_cpu - idle_cpu) / a.duration
            print("run %d %-9s %.2f us/event (%d events, CPU %.2f s, idle %.2f s, wall %.1f s: "
                  "%.2f cores for the rate%s)" % (i + 1, name, out[-1], events, busy_cpu, idle_cpu,
                                                 busy_wall, cores,
                                                 ", saturated" if cores > 0.9 else ""))
    print(peerlib.ratio_line("WebSocket receive, %d connections x %g events/s" % (a.connections, a.rate),
                             ours, theirs))
    peerlib.stop_all()


if __name__ == "__main__":
    main()
