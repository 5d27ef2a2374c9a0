"""Command line: plot.py REPORT.json [REPORT.json...] --out DIR [--format png,svg]."""

import argparse
import os
import sys

from . import model as model_mod
from .compression import chart_memory_compression
from .find_max import chart_max_rate
from .fmt import slug
from .groups import chart_server_cost, chart_throughput, chart_wire
from .infra import chart_browser_cost, chart_infra_cost
from .latency import chart_latency_summary, chart_percentiles
from .output import Writer
from .page import write_page
from .subscriptions import chart_multiplexing, chart_scaling
from .workloads import chart_workloads

PROG = model_mod.PROG
FORMATS = ("png", "svg", "pdf")


def parse_args(argv):
    ap = argparse.ArgumentParser(prog=PROG, description="Charts and an HTML summary from pushbench reports.")
    ap.add_argument("reports", metavar="REPORT.json", nargs="+", help="pushbench JSON report(s)")
    ap.add_argument("--out", required=True, metavar="DIR", help="output directory (created if missing)")
    ap.add_argument("--format", default="png", metavar="FMT[,FMT]",
                    help="comma-separated image formats: png, svg, pdf (default: png)")
    args = ap.parse_args(argv)
    fmts = []
    for f in args.format.split(","):
        f = f.strip().lower()
        if not f:
            continue
        if f not in FORMATS:
            ap.error("unsupported format '%s' (use png, svg or pdf)" % f)
        if f not in fmts:
            fmts.append(f)
    if not fmts:
        ap.error("--format needs at least one of png, svg, pdf")
    args.formats = fmts
    return args


def summary_charts(m):
    """(make() -> figure or None, stem, caption) of every chart across groups, in page order; a chart whose
    make() returns None has no data in the reports and is not written."""
    return [
        (lambda: chart_latency_summary(m.groups), "latency_summary",
         "Corrected latency (p50/p99/p99.9) per group, by transport"),
        (lambda: chart_throughput(m.groups, m.scenarios), "throughput", "Throughput per group, by transport"),
        (lambda: chart_wire(m.scenarios), "wire_overhead", "Wire bytes per event vs payload bytes"),
        (lambda: chart_server_cost(m.groups, m.scenarios), "server_cost",
         "Server CPU per event and RSS per subscription"),
        (lambda: chart_scaling(m.scenarios), "scaling", "Throughput and server CPU per event vs subscriptions"),
        (lambda: chart_multiplexing(m.scenarios, m.multi), "multiplexing",
         "HTTP/1.1 vs HTTP/2 multiplexing: server CPU, memory, TCP connections and p99 by subscriptions"),
        (lambda: chart_memory_compression(m.scenarios, m.multi), "memory_compression",
         "Server memory per subscription by transport and compression"),
        (lambda: chart_max_rate(m.groups), "max_rate", "Max sustainable rate per transport (find-max)"),
        (lambda: chart_infra_cost(m.scenarios), "infra_cost",
         "Backend server vs reverse proxy or broker: CPU per event and RSS per connection"),
        (lambda: chart_browser_cost(m.scenarios), "browser_cost",
         "Headless Chromium: CPU per event and RSS per subscription (renderer, network service)"),
        (lambda: chart_workloads(m.scenarios, m.multi), "workloads",
         "Workloads: resume recovery, chat round trip, browser connection cap, slow consumers"),
    ]


def group_stems(groups):
    """group -> file stem of its percentile chart (latency_percentiles_<slug>, numbered when slugs collide)."""
    stems = {}
    for g in groups:
        stem = base = "latency_percentiles_" + slug(g)
        i = 2
        while stem in stems.values():
            stem = "%s-%d" % (base, i)
            i += 1
        stems[g] = stem
    return stems


def write_all(writer, m):
    stems = group_stems(m.groups)
    for g, members in m.groups.items():
        writer.save(chart_percentiles(g, members), stems[g], "Latency by percentile – group “%s”" % g)
    for make, stem, title in summary_charts(m):
        fig = make()
        if fig is not None:
            writer.save(fig, stem, title)
    write_page(writer, m, stems)


def main(argv=None):
    args = parse_args(argv)
    try:
        m = model_mod.load(args.reports)
    except model_mod.InputError as e:
        print("%s: error: %s" % (PROG, e), file=sys.stderr)
        return 2
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        print("%s: error: cannot create output directory '%s': %s" % (PROG, args.out, e.strerror or e),
              file=sys.stderr)
        return 2
    writer = Writer(args.out, args.formats)
    try:
        write_all(writer, m)
    except OSError as e:
        print("%s: error: cannot write to '%s': %s" % (PROG, args.out, e.strerror or e), file=sys.stderr)
        return 2
    for p in writer.written:
        print(p)
    return 0
