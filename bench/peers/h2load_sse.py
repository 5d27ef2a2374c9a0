#!/usr/bin/python3
"""h2load vs pushbench on SSE over HTTP/2, same server, same workload, same core.

Our SSE server (pinned to CPU 0) serves S finite streams (count=K events each, R events/s, 64 B)
on one HTTP/2 connection; h2load (`-n S -c 1 -m S`) and `pushbench load --http 2 --streams S
--count K` take turns on CPU 1, REPEAT times each. h2load only reads the bytes; pushbench also
parses every event, timestamps it and checks its sequence. Prints the client CPU per event of each
(whole-process CPU from wait4) and the ratio of the medians.

Usage: bench/peers/h2load_sse.py [--streams 100] [--count 2000] [--rate 2000] [--repeat 3]"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--streams", type=int, default=100)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    peerlib.ensure_apt("h2load", "nghttp2-client")
    server_cpu, client_cpu = peerlib.cpus()
    _, port = peerlib.our_server("sse", server_cpu)
    events = a.streams * a.count
    query = "rate=%g&size=64&payload=json&count=%d" % (a.rate, a.count)
    ours, theirs = [], []
    for i in range(a.repeat):
        rc, out, cpu = peerlib.measured(["h2load", "-n", str(a.streams), "-c", "1", "-m", str(a.streams),
                                         "http://127.0.0.1:%d/sse?%s" % (port, query)], client_cpu)
        done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded", out)
        if rc != 0 or not done or int(done.group(2)) != a.streams:
            raise SystemExit("h2load did not complete every stream:\n" + out[-1500:])
        theirs.append(cpu * 1e6 / events)
        scenario, cpu = peerlib.pushbench_load(
            ["--url", "http://127.0.0.1:%d/sse" % port, "--http", "2", "-c", "1", "--streams", str(a.streams),
             "-r", "%g" % a.rate, "-s", "64", "--count", str(a.count), "-w", "0", "-d", "120",
             "--phase", "aligned"], client_cpu)
        if scenario["events"]["received"] != events or scenario["events"]["lost"] != 0:
            raise SystemExit("pushbench did not receive every event: %s" % scenario["events"])
        ours.append(cpu * 1e6 / events)
        print("run %d: h2load %.2f us/event, pushbench %.2f us/event" % (i + 1, theirs[-1], ours[-1]))
    print(peerlib.ratio_line("SSE over HTTP/2, %d streams x %d events" % (a.streams, a.count), ours, theirs))
    peerlib.stop_all()


if __name__ == "__main__":
    main()
