#!/usr/bin/python3
"""Charts and an HTML summary from pushbench JSON reports.

Usage: plot.py REPORT.json [REPORT.json...] --out DIR [--format png,svg]

Writes into DIR:
  latency_percentiles_<group>.<fmt>  HDR-style latency-by-percentile curves, one chart per group
  latency_summary.<fmt>              p50/p99/p99.9 corrected latency per group, by transport
  wire_overhead.<fmt>                wire bytes per event vs payload bytes, by transport
  server_cost.<fmt>                  server CPU ns/event and RSS/subscription, by transport
  throughput.<fmt>                   events/s per group, by transport
  index.html                         self-contained page with every chart and a table per group
and, only when the reports hold the data for them (otherwise no file):
  scaling.<fmt>                      events/s and server CPU ns/event vs subscriptions (stream/broadcast)
  multiplexing.<fmt>                 HTTP/1.1 vs HTTP/2 by subscriptions: server CPU/event, RSS/subscription,
                                     TCP connections, p99 latency (needs both versions and 2+ subscription counts)
  memory_compression.<fmt>           server RSS/subscription by transport and compression algorithm
  max_rate.<fmt>                     find-max: max sustainable events/s per transport, and the ramp's p99 per step
  infra_cost.<fmt>                   backend server vs reverse proxy or broker: CPU/event, RSS/connection
  browser_cost.<fmt>                 headless Chromium's own CPU/event and RSS/subscription vs subscriptions
  workloads.<fmt>                    resume recovery, chat round trip, browser connection cap, slow consumers
and prints the written paths, one per line.

Exit status: 0 on success, 2 on a missing/unreadable/invalid report or bad arguments.

The code is the package scripts/pushbench_plot/ (one module per chart family; model.py reads the reports).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pushbench_plot.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
