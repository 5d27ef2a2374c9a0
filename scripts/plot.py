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
  workloads.<fmt>                    resume recovery, chat round trip, browser connection cap, slow consumers
and prints the written paths, one per line.

Exit status: 0 on success, 2 on a missing/unreadable/invalid report or bad arguments.
"""

import argparse
import base64
import html
import io
import json
import math
import os
import re
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter, NullLocator  # noqa: E402

PROG = "plot.py"
TRANSPORT_ORDER = ["sse", "ws", "raw"]
TRANSPORT_NAME = {"sse": "SSE", "ws": "WebSocket", "raw": "raw TCP"}
TRANSPORT_COLOR = {"sse": "#1f77b4", "ws": "#ff7f0e", "raw": "#2ca02c"}
TRANSPORT_CMAP = {"sse": "Blues", "ws": "Oranges", "raw": "Greens"}
OTHER_COLOR = "#7f7f7f"
COMPRESSION_SHORT = {"gzip": "gzip", "deflate": "deflate", "permessage-deflate": "pm-deflate"}
PNG_DPI = 120
MAX_ANNOTATED_BARS = 30
PAYLOAD_MARKERS = {"json": "o", "text": "s", "random": "^", "file": "D", "other": "v"}
MAX_FIG_WIDTH = 26.0  # inches; charts with many groups get narrower bars instead of an unviewable width


class InputError(Exception):
    pass


# ----------------------------------------------------------------------------------------------
# small helpers


NUM_LIMIT = 1e18  # beyond any byte count, rate or duration in ns a report can hold; larger is corrupt input


def num(x):
    """x as a finite float, or None (bools, strings, NaN, absurd magnitudes and missing values give None)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    try:
        x = float(x)
    except OverflowError:  # an int too large for a float
        return None
    return x if math.isfinite(x) and abs(x) <= NUM_LIMIT else None


def dig(d, *keys):
    """Nested lookup that tolerates missing keys and wrong types."""
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def text_or_none(x):
    return x if isinstance(x, str) else None


def slug(text):
    s = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return s or "group"


def fmt_si(v, unit=""):
    """Compact value: 1234 -> 1.23k, 0.5 -> 0.5."""
    if v is None:
        return "n/a"
    a = abs(v)
    for div, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return "%.3g%s%s" % (v / div, suffix, unit)
    if a >= 100 or a == 0:
        return "%.0f%s" % (v, unit)
    return "%.3g%s" % (v, unit)


def fmt_us(v):
    """Latency in microseconds for labels and tables."""
    if v is None:
        return "n/a"
    if abs(v) >= 1e6:
        return "%.3g s" % (v / 1e6)
    if abs(v) >= 10000:
        return "%.3g ms" % (v / 1000.0)
    if abs(v) >= 100:
        return "%.0f µs" % v
    return "%.3g µs" % v


def fmt_bytes(v):
    if v is None:
        return "n/a"
    a = abs(v)
    for div, suffix in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if a >= div:
            return "%.3g %s" % (v / div, suffix)
    return "%.4g B" % v


def fmt_int(v):
    if v is None:
        return "n/a"
    return "{:,.0f}".format(v)


# ----------------------------------------------------------------------------------------------
# histogram maths


def clean_bins(hist):
    """Valid [lower_ns, upper_ns, count] bins with count > 0, ascending by lower bound."""
    out = []
    bins = dig(hist, "bins")
    if not isinstance(bins, list):
        return out
    for b in bins:
        if not isinstance(b, (list, tuple)) or len(b) < 3:
            continue
        lo, hi, c = num(b[0]), num(b[1]), num(b[2])
        if lo is None or hi is None or c is None or c <= 0:
            continue
        if hi < lo:
            lo, hi = hi, lo
        out.append((lo, hi, c))
    out.sort()
    return out


class Distribution:
    """Percentile lookup over an HDR-style histogram (values in ns, linear within a bin)."""

    def __init__(self, hist):
        self.bins = clean_bins(hist)
        self.underflow = max(0.0, num(dig(hist, "underflow")) or 0.0)
        self.overflow = max(0.0, num(dig(hist, "overflow")) or 0.0)
        self.lowest = num(dig(hist, "lowest"))
        self.highest = num(dig(hist, "highest"))
        self.total = self.underflow + sum(c for _, _, c in self.bins) + self.overflow
        self.cum = []
        acc = self.underflow
        for lo, hi, c in self.bins:
            self.cum.append((acc, acc + c, lo, hi))
            acc += c

    def empty(self):
        # Only under/overflow and no bins carries no usable shape either.
        return self.total <= 0 or not self.bins

    def value_ns(self, q):
        """Value at quantile q in [0, 1]."""
        rank = min(max(q, 0.0), 1.0) * self.total
        if self.underflow > 0 and rank <= self.underflow:
            return self.lowest if self.lowest is not None else self.bins[0][0]
        for c0, c1, lo, hi in self.cum:
            if rank <= c1:
                frac = (rank - c0) / (c1 - c0) if c1 > c0 else 1.0
                return lo + (hi - lo) * min(max(frac, 0.0), 1.0)
        if self.overflow > 0 and self.highest is not None:
            return max(self.highest, self.bins[-1][1])
        return self.bins[-1][1]

    def percentile_us(self, pct):
        if self.empty():
            return None
        return self.value_ns(pct / 100.0) / 1000.0

    def curve(self, max_x):
        """(x, y_us) with x = 1/(1-q), log-spaced from q=0 to the highest quantile the data supports."""
        top = min(max(self.total, 1.0), max_x)
        if top <= 1.0:
            return [1.0], [self.value_ns(0.5) / 1000.0]
        n = 400
        lt = math.log10(top)
        xs = [10 ** (lt * i / (n - 1)) for i in range(n)]
        ys = [self.value_ns(1.0 - 1.0 / x) / 1000.0 for x in xs]
        return xs, ys


# ----------------------------------------------------------------------------------------------
# input model


class Scenario:
    def __init__(self, data, report_index, report_tag):
        self.d = data
        self.report_index = report_index
        self.report_tag = report_tag
        self.name = str(data.get("name") or "(unnamed)")
        self.group = str(data.get("group") or self.name)
        t = data.get("transport")
        self.transport = t if isinstance(t, str) and t else "?"
        self.series = None  # transport variant label shared across groups
        self.label = None  # unique label within the group
        self.color = None
        self.dist = {
            "corrected": Distribution(dig(data, "histograms", "latency_corrected")),
            "uncorrected": Distribution(dig(data, "histograms", "latency_uncorrected")),
        }

    def variant(self, multi_report):
        base = TRANSPORT_NAME.get(self.transport, self.transport)
        quals = []
        if self.d.get("http_version") == "2":
            quals.append("HTTP/2")
        if self.d.get("tls") is True:
            quals.append("TLS")
        alg = dig(self.d, "compression", "algorithm")
        if isinstance(alg, str) and alg not in ("", "none"):
            quals.append(COMPRESSION_SHORT.get(alg, alg))
        label = base + (" (" + ", ".join(quals) + ")" if quals else "")
        if multi_report:
            label += " [" + self.report_tag + "]"
        return label

    def latency(self, kind, pct_key):
        """(value_us, approximate?) from the summary, falling back to the histogram."""
        v = num(dig(self.d, "latency_us", kind, pct_key))
        if v is not None:
            return v, False
        pct = {"p50": 50.0, "p90": 90.0, "p99": 99.0, "p999": 99.9, "p9999": 99.99}.get(pct_key)
        if pct is None:
            return None, False
        v = self.dist[kind].percentile_us(pct)
        return v, v is not None

    def events_per_s(self):
        return num(dig(self.d, "throughput", "events_per_s"))

    def offered_rate(self):
        w = self.d.get("workload")
        c, s, r = num(dig(w, "connections")), num(dig(w, "streams_per_connection")), num(dig(w, "rate_per_stream"))
        if None in (c, s, r) or r <= 0:
            return None
        return c * s * r

    def payload_bytes(self):
        return num(dig(self.d, "workload", "payload_bytes"))

    def bytes_per_event(self):
        v = num(dig(self.d, "wire", "bytes_per_event"))
        if v is not None:
            return v
        recv, n = num(dig(self.d, "wire", "bytes_received")), num(dig(self.d, "events", "received"))
        if recv is not None and n:
            return recv / n
        return None

    def server_cpu_ns(self):
        return num(dig(self.d, "server", "cpu_ns_per_event"))

    def rss_per_conn(self):
        return num(dig(self.d, "server", "rss_bytes_per_connection"))

    def rss_per_sub(self):
        """Server RSS growth per subscription (stream); per connection / streams for older reports."""
        v = num(dig(self.d, "server", "rss_bytes_per_stream"))
        if v is not None:
            return v
        per_conn, streams = self.rss_per_conn(), num(dig(self.d, "workload", "streams_per_connection"))
        if per_conn is None or streams is None or streams <= 0:
            return None
        return per_conn / streams

    def http_version(self):
        """"1.1", "2", or None (raw TCP, or a report without the field)."""
        v = self.d.get("http_version")
        return v if v in ("1.1", "2") else None

    def tls(self):
        v = self.d.get("tls")
        return v if isinstance(v, bool) else None

    def kind(self):
        k = dig(self.d, "workload", "kind")
        if isinstance(k, str) and k:
            return k
        return "find-max" if isinstance(self.d.get("find_max"), dict) else None

    def compression(self):
        """Compression algorithm, or None when the report does not say."""
        alg = dig(self.d, "compression", "algorithm")
        return alg if isinstance(alg, str) and alg else None

    def subscriptions(self):
        """Subscriptions (streams) held: workload.subscriptions, or connections × streams per connection."""
        v = num(dig(self.d, "workload", "subscriptions"))
        if v is not None:
            return v
        c, st = num(dig(self.d, "workload", "connections")), num(dig(self.d, "workload", "streams_per_connection"))
        return c * st if c is not None and st is not None else None

    def tcp_connections(self):
        return num(dig(self.d, "workload", "tcp_connections"))

    def section(self, key):
        v = self.d.get(key)
        return v if isinstance(v, dict) else None

    def signature(self):
        """What the load looked like apart from how many subscriptions: (kind, rate per stream, payload bytes)."""
        return (self.kind() or "?", num(dig(self.d, "workload", "rate_per_stream")), self.payload_bytes())


def load_report(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise InputError("cannot read '%s': no such file" % path)
    except IsADirectoryError:
        raise InputError("cannot read '%s': is a directory" % path)
    except OSError as e:
        raise InputError("cannot read '%s': %s" % (path, e.strerror or e))
    except UnicodeDecodeError:
        raise InputError("'%s' is not UTF-8 text" % path)
    except json.JSONDecodeError as e:
        raise InputError("'%s' is not valid JSON: %s at line %d column %d" % (path, e.msg, e.lineno, e.colno))
    if not isinstance(data, dict) or not isinstance(data.get("scenarios"), list):
        raise InputError("'%s' is not a pushbench report (no 'scenarios' list)" % path)
    return data


def report_tags(paths):
    stems = [os.path.splitext(os.path.basename(p))[0] or p for p in paths]
    tags = []
    for i, s in enumerate(stems):
        tags.append(s if stems.count(s) == 1 else "%s#%d" % (s, i + 1))
    return tags


def build_model(reports, tags):
    scenarios = []
    for ri, rep in enumerate(reports):
        for sd in rep["scenarios"]:
            if isinstance(sd, dict):
                scenarios.append(Scenario(sd, ri, tags[ri]))
            else:
                print("%s: warning: skipping a scenario that is not a JSON object in %s" % (PROG, tags[ri]),
                      file=sys.stderr)
    multi = len(reports) > 1
    groups = {}
    for s in scenarios:
        s.series = s.variant(multi)
        groups.setdefault(s.group, []).append(s)

    def tkey(t):
        return TRANSPORT_ORDER.index(t) if t in TRANSPORT_ORDER else len(TRANSPORT_ORDER)

    # global series order: by transport, then first appearance
    series = []
    for s in sorted(scenarios, key=lambda s: tkey(s.transport)):
        if s.series not in series:
            series.append(s.series)
    # colours: one per series; shades of the transport colour when a transport has several variants
    by_transport = {}
    for s in scenarios:
        lst = by_transport.setdefault(s.transport, [])
        if s.series not in lst:
            lst.append(s.series)
    color_of = {}
    for t, labels in by_transport.items():
        if len(labels) == 1:
            color_of[labels[0]] = TRANSPORT_COLOR.get(t, OTHER_COLOR)
        else:
            cmap = plt.get_cmap(TRANSPORT_CMAP.get(t, "Greys"))
            for i, lab in enumerate(labels):
                color_of[lab] = cmap(0.9 - 0.5 * i / (len(labels) - 1))
    for g, members in groups.items():
        members.sort(key=lambda s: (series.index(s.series), s.report_index))
        for s in members:
            s.color = color_of[s.series]
            dup = sum(1 for o in members if o.series == s.series) > 1
            s.label = s.series + (" – " + s.name if dup else "")
    return scenarios, groups, series


def workload_text(s):
    w = s.d.get("workload") if isinstance(s.d.get("workload"), dict) else {}
    parts = []
    if w.get("kind"):
        parts.append(str(w["kind"]))
    c, st, r = num(w.get("connections")), num(w.get("streams_per_connection")), num(w.get("rate_per_stream"))
    if c is not None:
        t = "%s conn" % fmt_int(c)
        if st is not None and st != 1:
            t += " × %s streams" % fmt_int(st)
        if r is not None:
            t += " × %s ev/s" % fmt_si(r)
        parts.append(t)
    pb = num(w.get("payload_bytes"))
    if pb is not None:
        parts.append(("%s B %s" % (fmt_int(pb), w.get("payload_kind") or "")).strip())
    d = num(w.get("duration_s"))
    if d is not None:
        parts.append("%g s" % d)
    return ", ".join(parts)


# ----------------------------------------------------------------------------------------------
# output


class Writer:
    def __init__(self, outdir, formats):
        self.outdir = outdir
        self.formats = formats
        self.written = []
        self.figures = {}  # stem -> (title, embeddable html), in creation order

    def save(self, fig, stem, title):
        for fmt in self.formats:
            path = os.path.join(self.outdir, "%s.%s" % (stem, fmt))
            fig.savefig(path, format=fmt, dpi=PNG_DPI)
            self.written.append(path)
        if "png" in self.formats:
            with open(os.path.join(self.outdir, stem + ".png"), "rb") as f:
                emb = self._img(f.read())
        elif "svg" in self.formats:
            with open(os.path.join(self.outdir, stem + ".svg"), "r", encoding="utf-8") as f:
                svg = f.read()
            i = svg.find("<svg")
            emb = '<div class="svg">%s</div>' % (svg[i:] if i >= 0 else svg)
        else:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=PNG_DPI)
            emb = self._img(buf.getvalue())
        plt.close(fig)
        self.figures[stem] = (title, emb)

    @staticmethod
    def _img(png):
        return '<img alt="" src="data:image/png;base64,%s">' % base64.b64encode(png).decode("ascii")


def no_data(ax, text="no data"):
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#888888", fontsize=12)


def percentile_axis(ax, max_x):
    ticks, labels = [1.0, 2.0, 10.0], ["0%", "50%", "90%"]
    nines, x = 2, 100.0
    while x <= max_x * 1.0001:
        ticks.append(x)
        labels.append("99%" if nines == 2 else "99." + "9" * (nines - 2) + "%")
        nines += 1
        x *= 10
    ax.set_xscale("log")
    ax.set_xlim(1.0, max_x)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: labels[ticks.index(v)] if v in ticks else ""))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("percentile (log scale of 1/(1 − p): each step is one more nine)")


def fmt_us_tick(v, _pos=None):
    if v >= 1e6:
        return "%g s" % (v / 1e6)
    if v >= 1000:
        return "%g ms" % (v / 1000.0)
    return "%g µs" % v


def us_axis(ax):
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(fmt_us_tick))


def chart_percentiles(w, group, members):
    fig, ax = plt.subplots(figsize=(10, 5.6), layout="constrained")
    totals = [s.dist["corrected"].total for s in members if not s.dist["corrected"].empty()]
    totals += [s.dist["uncorrected"].total for s in members if not s.dist["uncorrected"].empty()]
    max_x = 1e5
    if totals and max(totals) > 1e5:
        max_x = 1e6
    handles = []
    drew = False
    for s in members:
        have_any = False
        for kind, style in (("corrected", "-"), ("uncorrected", "--")):
            dist = s.dist[kind]
            if dist.empty():
                continue
            xs, ys = dist.curve(max_x)
            pts = [(x, y) for x, y in zip(xs, ys) if y > 0]  # log axis: drop zero latencies
            if not pts:
                continue
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            ax.plot(xs, ys, linestyle=style, color=s.color, linewidth=1.8 if style == "-" else 1.3,
                    marker="o" if len(xs) == 1 else None)
            have_any = drew = True
        note = ""
        ov = s.dist["corrected"].overflow
        if ov:
            note = " (%s above histogram range)" % fmt_int(ov)
        if have_any:
            handles.append(Line2D([], [], color=s.color, linewidth=2, label=s.label + note))
        else:
            handles.append(Line2D([], [], color="#bbbbbb", linewidth=2, linestyle=":",
                                  label=s.label + " – no latency data"))
    percentile_axis(ax, max_x)
    if drew:
        us_axis(ax)
        ax.grid(True, which="major", alpha=0.4)
        ax.grid(True, which="minor", axis="y", alpha=0.15)
    else:
        ax.set_yticks([])
        no_data(ax, "no latency histograms in this group")
    ax.set_ylabel("latency (µs, log scale)")
    ax.set_title("Latency by percentile – group “%s”\n%s" % (group, workload_text(members[0])), fontsize=11)
    if handles:
        handles += [Line2D([], [], color="black", linestyle="-", label="corrected (coordinated omission)"),
                    Line2D([], [], color="black", linestyle="--", label="uncorrected")]
        ax.legend(handles=handles, loc="upper left", fontsize=9, framealpha=0.9)
    return fig


def grouped_bars(ax, groups, value_fn, fmt, annotate=True, log=False, label_fn=None):
    """Bars per scenario clustered by group. value_fn(s) -> float or None. Returns True if any bar drawn.

    label_fn(s, v) -> str overrides fmt(v) for the value annotation of a bar."""
    names = list(groups)
    width_slots = max((len(m) for m in groups.values()), default=1)
    width = 0.8 / max(width_slots, 1)
    total_bars = sum(len(m) for m in groups.values())
    annotate = annotate and total_bars <= MAX_ANNOTATED_BARS
    drew = False
    seen = set()
    vals = []
    for gi, g in enumerate(names):
        members = groups[g]
        n = len(members)
        for i, s in enumerate(members):
            x = gi + (i - (n - 1) / 2.0) * width
            v = value_fn(s)
            if v is not None and log and v <= 0:
                v = None
            if v is None:
                ax.text(x, 0.02, "n/a", transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                        rotation=90, fontsize=8, color="#888888")
                continue
            label = s.series if s.series not in seen else None
            seen.add(s.series)
            ax.bar(x, v, width=width * 0.92, color=s.color, label=label, edgecolor="white", linewidth=0.5)
            vals.append(v)
            drew = True
            if annotate:
                text = label_fn(s, v) if label_fn else fmt(v)
                ax.annotate(text, (x, v), xytext=(0, 2 if v >= 0 else -2), textcoords="offset points",
                            ha="center", va="bottom" if v >= 0 else "top", fontsize=7.5,
                            rotation=90 if width_slots > 3 else 0)
    ax.set_xticks(range(len(names)))
    rot = 0 if len(names) <= 4 else (20 if len(names) <= 12 else 45)
    ax.set_xticklabels(names, rotation=rot, ha="right" if rot else "center",
                       rotation_mode="anchor" if rot else "default", fontsize=None if len(names) <= 20 else 7.5)
    ax.set_xlim(-0.6, len(names) - 0.4)
    if log:
        ax.set_yscale("log")
    if vals:
        hi = max(vals)
        if log:
            lo = min(vals)
            ax.set_ylim(lo / 3.0, hi * 4.0)
        else:
            ax.set_ylim(0, hi * 1.18)
    ax.grid(True, axis="y", alpha=0.35)
    ax.set_axisbelow(True)
    return drew


def legend_for_series(ax, scenarios, extra=(), outside=False):
    handles, seen = [], set()
    for s in scenarios:
        if s.series not in seen:
            seen.add(s.series)
            handles.append(Patch(color=s.color, label=s.series))
    handles += list(extra)
    if not handles:
        return
    if outside:
        ax.legend(handles=handles, fontsize=9, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    else:
        ax.legend(handles=handles, fontsize=9, loc="upper left", framealpha=0.9)


def chart_latency_summary(w, groups, scenarios):
    names = list(groups)
    n = max(len(names), 1)
    ncols = min(3, n)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols + 0.8, 4.4 * nrows + 0.6),
                             layout="constrained", squeeze=False)
    pcts = [("p50", "p50"), ("p99", "p99"), ("p999", "p99.9")]
    for idx, ax in enumerate(axes.flat):
        if idx >= len(names):
            if names:
                ax.set_visible(False)
            else:
                no_data(ax, "no scenarios")
                ax.set_xticks([])
                ax.set_yticks([])
            continue
        g = names[idx]
        members = groups[g]
        m = len(members)
        width = 0.8 / m
        vals = []
        for i, s in enumerate(members):
            for pi, (key, _lab) in enumerate(pcts):
                x = pi + (i - (m - 1) / 2.0) * width
                v, approx = s.latency("corrected", key)
                if v is None or v <= 0:
                    ax.text(x, 0.02, "n/a", transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                            rotation=90, fontsize=8, color="#888888")
                    continue
                vals.append(v)
                ax.bar(x, v, width=width * 0.92, color=s.color, edgecolor="white", linewidth=0.5,
                       hatch="//" if approx else None)
                ax.annotate(("≈" if approx else "") + fmt_us(v), (x, v), xytext=(0, 2),
                            textcoords="offset points", ha="center", va="bottom", fontsize=7,
                            rotation=90 if m > 2 else 0)
        ax.set_xticks(range(len(pcts)))
        ax.set_xticklabels([lab for _k, lab in pcts])
        ax.set_xlim(-0.6, len(pcts) - 0.4)
        if vals:
            us_axis(ax)
            ax.set_ylim(min(vals) / 3.0, max(vals) * 6.0)
        else:
            ax.set_yticks([])
            no_data(ax, "no latency data")
        ax.grid(True, axis="y", alpha=0.35)
        ax.set_axisbelow(True)
        ax.set_title("“%s”\n%s" % (g, workload_text(members[0])), fontsize=9.5)
        ax.set_ylabel("corrected latency (µs, log scale)")
        ax.set_xlabel("percentile")
        legend_for_series(ax, members)
    fig.suptitle("Corrected latency (p50 / p99 / p99.9) per group, by transport", fontsize=12)
    return fig


def chart_throughput(w, groups, scenarios):
    fig, ax = plt.subplots(figsize=(min(MAX_FIG_WIDTH, max(7.5, 1.0 + 2.4 * len(groups))), 5.2), layout="constrained")
    rates = [v for v in (s.events_per_s() for s in scenarios) if v is not None and v > 0]
    log = bool(rates) and max(rates) / min(rates) > 50
    drew = grouped_bars(ax, groups, lambda s: s.events_per_s(), fmt_si, log=log)
    extra = []
    for gi, g in enumerate(groups):
        # find-max ramps its rate, so rate_per_stream is not the offered rate there
        rates = [r for r in (s.offered_rate() for s in groups[g]
                             if dig(s.d, "workload", "kind") != "find-max") if r is not None]
        if rates:
            ax.hlines(max(rates), gi - 0.45, gi + 0.45, colors="black", linestyles="dashed", linewidth=1)
            if not extra:
                extra.append(Line2D([], [], color="black", linestyle="--", label="offered rate"))
        for i, s in enumerate(groups[g]):
            if dig(s.d, "loadgen", "saturated") is True:
                n = len(groups[g])
                slots = max(len(m) for m in groups.values())
                x = gi + (i - (n - 1) / 2.0) * (0.8 / slots)
                ax.text(x, 0.5, "load generator saturated", transform=ax.get_xaxis_transform(), rotation=90,
                        ha="center", va="center", fontsize=7.5, color="#b00020",
                        bbox=dict(facecolor="white", alpha=0.85, edgecolor="none", pad=1.5))
    if rates_top := [s.offered_rate() for s in scenarios
                     if s.offered_rate() is not None and dig(s.d, "workload", "kind") != "find-max"]:
        lo, hi = ax.get_ylim()
        ax.set_ylim(lo, max(hi, max(rates_top) * (4.0 if log else 1.18)))
    if not drew:
        no_data(ax, "no throughput data")
    ax.set_ylabel("received events per second" + (" (log scale)" if log else ""))
    ax.set_xlabel("scenario group")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_si(v)))
    ax.set_title("Throughput per group, by transport", fontsize=12)
    legend_for_series(ax, scenarios, extra, outside=True)
    return fig


def chart_server_cost(w, groups, scenarios):
    if len(groups) <= 3:
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(max(11, 1.5 + 4.0 * len(groups)), 5.2), layout="constrained")
    else:  # many groups: the two panels one above the other, each as wide as the figure
        fig, (a1, a2) = plt.subplots(2, 1, figsize=(min(MAX_FIG_WIDTH, max(11, 2.5 + 1.4 * len(groups))), 10.5),
                                     layout="constrained")
    cpus = [v for v in (s.server_cpu_ns() for s in scenarios) if v is not None and v > 0]
    log = bool(cpus) and max(cpus) / min(cpus) > 50
    d1 = grouped_bars(a1, groups, lambda s: s.server_cpu_ns(), lambda v: fmt_si(v), log=log)
    a1.set_title("Server CPU per event", fontsize=11)
    a1.set_ylabel("server CPU time per event (ns%s)" % (", log scale" if log else ""))
    a1.set_xlabel("scenario group")
    a1.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_si(v)))
    if not d1:
        no_data(a1, "no server CPU measurements")
    # Per subscription: equal to per connection over HTTP/1.1, and comparable with HTTP/2 (many streams per
    # connection) where a per-connection figure is not.
    vals = [v for v in (s.rss_per_sub() for s in scenarios) if v is not None]
    peak = max((abs(v) for v in vals), default=0.0)
    unit, div = ("MiB", 1 << 20) if peak >= (1 << 20) * 2 else (("KiB", 1 << 10) if peak >= 2048 else ("bytes", 1))

    def rss(s):
        v = s.rss_per_sub()
        return None if v is None else v / div

    d2 = grouped_bars(a2, groups, rss, lambda v: "%.3g" % v)
    a2.set_title("Server memory per subscription (= per connection over HTTP/1.1)", fontsize=11)
    a2.set_ylabel("server RSS growth per subscription (%s)" % unit)
    a2.set_xlabel("scenario group")
    if d2:
        lo, hi = a2.get_ylim()
        if vals and min(vals) < 0:
            a2.set_ylim(min(vals) / div * 1.2, hi)
            a2.axhline(0, color="black", linewidth=0.8)
    else:
        no_data(a2, "no server RSS measurements")
    legend_for_series(a2, scenarios, outside=True)
    fig.suptitle("Server cost by transport (n/a: not measured, e.g. foreign server)", fontsize=12)
    return fig


def chart_wire(w, groups, scenarios):
    # A series that ran several payload kinds (compression depends on them: json, text, random) gets one line
    # per kind, told apart by marker, rather than one line zigzagging between kinds at the same size.
    kinds_of = {}
    for s in scenarios:
        kinds_of.setdefault(s.series, set()).add(text_or_none(dig(s.d, "workload", "payload_kind")))
    pts = {}
    for s in scenarios:
        pb, bpe = s.payload_bytes(), s.bytes_per_event()
        if pb is None or bpe is None:
            continue
        pk = text_or_none(dig(s.d, "workload", "payload_kind"))
        split = len(kinds_of[s.series]) > 1
        label = s.series + (" – %s payload" % (pk or "?") if split else "")
        marker = PAYLOAD_MARKERS.get(pk, "o") if split else "o"
        pts.setdefault(label, (s.color, marker, []))[2].append((pb, bpe, s.group))
    if len(pts) <= 8:
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(13, 5.2), layout="constrained")
        lax = None
    else:  # a long legend goes in a row of its own below the panels
        fig, ((a1, a2),), lax = panels_with_legend_row(1, 2, 6.5, 5.0, len(pts) + 1, 3)
    if not pts:
        for a in (a1, a2):
            no_data(a, "no wire/payload data")
    allx = [p[0] for _c, _m, lst in pts.values() for p in lst]
    logx = bool(allx) and min(allx) > 0 and max(allx) / min(allx) >= 20
    for label, (color, marker, lst) in pts.items():
        lst.sort()
        xs = [p[0] for p in lst]
        a1.plot(xs, [p[1] for p in lst], marker=marker, color=color, label=label)
        a2.plot(xs, [p[1] - p[0] for p in lst], marker=marker, color=color, label=label)
        if len(pts) <= 6 and len(lst) <= 8:
            for x, y, g in lst:
                a2.annotate(g, (x, y - x), xytext=(4, 3), textcoords="offset points", fontsize=7, color=color)
    if allx:
        lo, hi = min(allx), max(allx)
        ref = [lo, hi] if hi > lo else [lo * 0.5, lo * 1.5 + 1]
        a1.plot(ref, ref, linestyle=":", color="#555555", label="payload only (no framing)")
        a2.axhline(0, linestyle=":", color="#555555")
        if hi == lo:
            for a in (a1, a2):
                a.set_xlim(ref[0], ref[1])
    distinct = sorted(set(allx))
    for a in (a1, a2):
        if logx:
            a.set_xscale("log")
        a.set_xlabel("payload bytes per event" + (" (log scale)" if logx else ""))
        a.grid(True, alpha=0.35)
        a.margins(x=0.08)
        if 0 < len(distinct) <= 8:
            a.xaxis.set_major_locator(FixedLocator(distinct))
            a.xaxis.set_minor_locator(NullLocator())
        a.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_int(v) if abs(v) < 1e5 else fmt_si(v)))
    a1.set_ylabel("wire bytes received per event")
    a1.set_title("Wire bytes per event vs payload size", fontsize=11)
    a2.set_ylabel("framing overhead per event (wire − payload, bytes)")
    a2.set_title("Per-event overhead (negative: compression wins)", fontsize=11)
    if pts and lax is None:
        a1.legend(fontsize=9, loc="upper left", framealpha=0.9)
    elif pts:
        lax.legend(*a1.get_legend_handles_labels(), fontsize=8.5, loc="upper center", ncol=3, frameon=False)
    fig.suptitle("Wire efficiency by transport", fontsize=12)
    return fig


# ----------------------------------------------------------------------------------------------
# charts over the workload shape: subscriptions, HTTP version, compression, find-max, special workloads

HTTP_NAME = {"1.1": "HTTP/1.1", "2": "HTTP/2"}
MUX_KINDS = ("stream", "broadcast", "chat")
SCALING_KINDS = ("stream", "broadcast")
COMPRESSION_ORDER = ["none", "gzip", "deflate", "permessage-deflate"]
COMPRESSION_COLOR = {"none": "#9e9e9e", "gzip": "#2ca02c", "deflate": "#9467bd", "permessage-deflate": "#d62728"}
SIGNATURE_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def signature_text(sig):
    kind, rate, pb = sig
    parts = [kind]
    if rate is not None:
        parts.append("%s/s" % fmt_si(rate))
    if pb is not None:
        parts.append("%s B" % fmt_int(pb))
    return " ".join(parts)


def split_lines(items, key_fn, label_fn):
    """Group scenarios into lines: key_fn(s) -> hashable line key, label_fn(s) -> its label.

    A key whose scenarios ran different workloads (kind, rate, payload) is split into one line per workload, so a
    line only ever connects comparable points. Returns [(key, label, sig or None, [scenarios])]."""
    by_key = {}
    for s in items:
        by_key.setdefault(key_fn(s), []).append(s)
    lines = []
    for key, members in by_key.items():
        sigs = []
        for s in members:
            if s.signature() not in sigs:
                sigs.append(s.signature())
        for sig in sigs:
            pts = [s for s in members if s.signature() == sig]
            label = label_fn(pts[0]) + (" – " + signature_text(sig) if len(sigs) > 1 else "")
            lines.append((key, label, sig if len(sigs) > 1 else None, pts))
    return lines


def subscriptions_axis(ax, xs):
    ax.set_xscale("log")
    distinct = sorted(set(xs))
    if 0 < len(distinct) <= 10:
        ax.xaxis.set_major_locator(FixedLocator(distinct))
        ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_int(v) if v < 1e5 else fmt_si(v)))
    ax.set_xlabel("subscriptions (log scale)")
    ax.margins(x=0.08)
    ax.grid(True, which="major", alpha=0.35)


def line_panel(ax, lines, x_fn, y_fn, style_fn, log_y=None):
    """Plot one line per entry of `lines` (see split_lines); returns the y values drawn."""
    ys_all = []
    for key, label, sig, pts in lines:
        xy = [(x_fn(s), y_fn(s)) for s in pts]
        xy = sorted((x, y) for x, y in xy if x is not None and y is not None and (log_y is not True or y > 0))
        if not xy:
            continue
        color, ls, marker = style_fn(key, sig, pts[0])
        ax.plot([p[0] for p in xy], [p[1] for p in xy], color=color, linestyle=ls, marker=marker, label=label,
                linewidth=1.6, markersize=6)
        ys_all += [p[1] for p in xy]
    if log_y is None:
        pos = [y for y in ys_all if y > 0]
        log_y = bool(pos) and len(pos) == len(ys_all) and max(pos) / min(pos) > 20
    if log_y and ys_all:
        ax.set_yscale("log")
        log_ticks_125(ax, ys_all)
    return ys_all


def log_ticks_125(ax, values):
    """On a log y axis spanning under two decades, label 1-2-5 steps rather than powers of ten only."""
    pos = [y for y in values if y is not None and y > 0]
    if pos and max(pos) / min(pos) < 100:
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_minor_formatter(NullFormatter())


def panels_with_legend_row(nrows, ncols, panel_w, panel_h, n_entries, legend_cols):
    """Figure with nrows × ncols panels and a full-width row below them for a long legend.

    Returns (fig, axes grid as a list of rows, legend axes)."""
    leg_rows = (n_entries + legend_cols - 1) // legend_cols
    leg_h = 0.3 + 0.24 * leg_rows
    fig = plt.figure(figsize=(panel_w * ncols, panel_h * nrows + leg_h), layout="constrained")
    gs = fig.add_gridspec(nrows + 1, ncols, height_ratios=[panel_h] * nrows + [leg_h])
    axes = [[fig.add_subplot(gs[r, c]) for c in range(ncols)] for r in range(nrows)]
    lax = fig.add_subplot(gs[nrows, :])
    lax.axis("off")
    return fig, axes, lax


def mux_label(s, multi_report):
    parts = [TRANSPORT_NAME.get(s.transport, s.transport), HTTP_NAME.get(s.http_version(), "?")]
    if s.tls():
        parts.append("TLS")
    alg = s.compression()
    if alg and alg != "none":
        parts.append(COMPRESSION_SHORT.get(alg, alg))
    label = " ".join(parts)
    if multi_report:
        label += " [" + s.report_tag + "]"
    return label


def chart_multiplexing(w, scenarios, multi_report):
    """HTTP/1.1 (one connection per subscription) vs HTTP/2 (streams on shared connections), by subscriptions."""
    # Compressed runs and the browser connection-cap model measure something else: left out here.
    items = [s for s in scenarios if s.http_version() and s.kind() in MUX_KINDS and s.subscriptions() is not None
             and s.compression() in (None, "none") and s.section("browser") is None]
    subs = {s.subscriptions() for s in items}
    versions = {s.http_version() for s in items}
    if len(subs) < 2 or len(versions) < 2:
        return None

    def key(s):
        return (s.transport, s.http_version(), bool(s.tls()), s.report_tag if multi_report else None)

    lines = split_lines(items, key, lambda s: mux_label(s, multi_report))
    # colour: a shade of the transport colour per variant apart from the HTTP version (so h1 and h2 of the
    # same variant share a colour and differ by line style); marker: cleartext o / TLS s
    variants = {}
    for k, _label, sig, _pts in lines:
        variants.setdefault(k[0], [])
        v = (k[2:], sig)
        if v not in variants[k[0]]:
            variants[k[0]].append(v)

    def style(k, sig, _s):
        lst = variants[k[0]]
        if len(lst) == 1:
            color = TRANSPORT_COLOR.get(k[0], OTHER_COLOR)
        else:
            shade = 0.9 - 0.5 * lst.index((k[2:], sig)) / (len(lst) - 1)
            color = plt.get_cmap(TRANSPORT_CMAP.get(k[0], "Greys"))(shade)
        return color, "-" if k[1] == "1.1" else "--", "s" if k[2] else "o"

    fig, axes, lax = panels_with_legend_row(2, 2, 6.5, 4.3, len(lines) + 3, 3)
    (a_cpu, a_rss), (a_tcp, a_lat) = axes
    xs = [s.subscriptions() for s in items]

    ys = line_panel(a_cpu, lines, lambda s: s.subscriptions(), lambda s: s.server_cpu_ns(), style)
    a_cpu.set_title("Server CPU per event", fontsize=11)
    a_cpu.set_ylabel("server CPU time per event (ns)")
    a_cpu.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_si(v)))
    if not ys:
        no_data(a_cpu, "no server CPU measurements")

    rss = [v for v in (s.rss_per_sub() for s in items) if v is not None]
    unit, div = ("MiB", 1 << 20) if max(rss, default=0) >= 2 << 20 else (("KiB", 1024) if max(rss, default=0) >= 2048
                                                                        else ("bytes", 1))
    ys = line_panel(a_rss, lines, lambda s: s.subscriptions(),
                    lambda s: None if s.rss_per_sub() is None else s.rss_per_sub() / div, style, log_y=False)
    a_rss.set_title("Server memory per subscription", fontsize=11)
    a_rss.set_ylabel("server RSS growth per subscription (%s)" % unit)
    if ys and min(ys) < 0:
        a_rss.axhline(0, color="black", linewidth=0.8)
    if not ys:
        no_data(a_rss, "no server RSS measurements")

    ys = line_panel(a_tcp, lines, lambda s: s.subscriptions(), lambda s: s.tcp_connections(), style, log_y=True)
    a_tcp.set_title("TCP connections used", fontsize=11)
    a_tcp.set_ylabel("TCP connections established (log scale)")
    a_tcp.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_int(v) if v >= 1 else "%g" % v))
    if not ys:
        no_data(a_tcp, "no TCP connection counts (older report)")

    ys = line_panel(a_lat, lines, lambda s: s.subscriptions(), lambda s: s.latency("corrected", "p99")[0], style,
                    log_y=True)
    a_lat.set_title("p99 latency (corrected)", fontsize=11)
    a_lat.set_ylabel("p99 corrected latency (µs, log scale)")
    if ys:
        a_lat.yaxis.set_major_formatter(FuncFormatter(fmt_us_tick))
    else:
        no_data(a_lat, "no latency data")

    for a in (a_cpu, a_rss, a_tcp, a_lat):
        subscriptions_axis(a, xs)
    handles = []
    for k, label, sig, _pts in lines:
        color, ls, marker = style(k, sig, None)
        handles.append(Line2D([], [], color=color, linestyle=ls, marker=marker, label=label))
    handles += [Line2D([], [], color="black", linestyle="-", label="HTTP/1.1: one connection per subscription"),
                Line2D([], [], color="black", linestyle="--", label="HTTP/2: streams share connections"),
                Line2D([], [], color="black", linestyle="", marker="s", label="TLS")]
    lax.legend(handles=handles, fontsize=8.5, loc="upper center", ncol=3, frameon=False)
    fig.suptitle("HTTP/1.1 vs HTTP/2 multiplexing, by number of subscriptions (uncompressed runs)", fontsize=12)
    return fig


def chart_scaling(w, scenarios):
    """Throughput and server CPU per event vs subscriptions, one line per transport variant and workload."""
    items = [s for s in scenarios if s.kind() in SCALING_KINDS and s.subscriptions() is not None
             and s.section("browser") is None]
    if len({s.subscriptions() for s in items}) < 2:
        return None
    lines = split_lines(items, lambda s: s.series, lambda s: s.series)
    sigs = []
    for _k, _l, sig, _p in lines:
        if sig is not None and sig not in sigs:
            sigs.append(sig)
    color_of = {s.series: s.color for s in items}

    def style(k, sig, _s):
        marker = SIGNATURE_MARKERS[sigs.index(sig) % len(SIGNATURE_MARKERS)] if sig else "o"
        return color_of.get(k, OTHER_COLOR), "-", marker

    fig, ((a1, a2),), lax = panels_with_legend_row(1, 2, 6.5, 4.8, len(lines), 3)
    xs = [s.subscriptions() for s in items]
    ys = line_panel(a1, lines, lambda s: s.subscriptions(), lambda s: s.events_per_s(), style)
    a1.set_title("Throughput", fontsize=11)
    a1.set_ylabel("received events per second")
    a1.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_si(v)))
    if not ys:
        no_data(a1, "no throughput data")
    ys = line_panel(a2, lines, lambda s: s.subscriptions(), lambda s: s.server_cpu_ns(), style)
    a2.set_title("Server CPU per event", fontsize=11)
    a2.set_ylabel("server CPU time per event (ns)")
    a2.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_si(v)))
    if not ys:
        no_data(a2, "no server CPU measurements")
    for a in (a1, a2):
        subscriptions_axis(a, xs)
    handles = [Line2D([], [], color=c, linestyle=ls, marker=m, label=label)
               for (c, ls, m), label in ((style(k, sig, None), label) for k, label, sig, _p in lines)]
    if handles:
        lax.legend(handles=handles, fontsize=8.5, loc="upper center", ncol=3, frameon=False)
    fig.suptitle("Throughput and server CPU per event vs subscriptions (stream and broadcast workloads)",
                 fontsize=12)
    return fig


def chart_memory_compression(w, scenarios, multi_report):
    """Server RSS per subscription with and without compression, per transport, for matching workloads.

    One row of panels per transport; x = workloads that ran with compression (the same workload without it is
    its baseline), one bar per scenario coloured by algorithm. Several compressed variants of one workload
    (e.g. context takeover on/off) each get a bar labelled with their group."""
    def base(s):  # the workload apart from compression
        wl = s.d.get("workload") if isinstance(s.d.get("workload"), dict) else {}
        return (s.transport, s.http_version(), s.tls(), s.kind(),
                num(wl.get("connections")), num(wl.get("streams_per_connection")), num(wl.get("rate_per_stream")),
                num(wl.get("payload_bytes")), text_or_none(wl.get("payload_kind")), text_or_none(wl.get("topic")),
                s.report_tag if multi_report else None)

    def tkey(t):
        return TRANSPORT_ORDER.index(t) if t in TRANSPORT_ORDER else len(TRANSPORT_ORDER)

    def akey(a):
        return COMPRESSION_ORDER.index(a) if a in COMPRESSION_ORDER else len(COMPRESSION_ORDER)

    compressed = [s for s in scenarios if s.compression() not in (None, "none")]
    if not compressed:
        return None
    cats = []  # workloads that have a compressed run, by transport then first appearance
    for s in sorted(compressed, key=lambda s: tkey(s.transport)):
        if base(s) not in cats:
            cats.append(base(s))
    bars = {c: [] for c in cats}
    for s in scenarios:
        if s.compression() is not None and base(s) in bars:
            bars[base(s)].append(s)
    for c in cats:
        bars[c].sort(key=lambda s: (akey(s.compression()), s.group))
    transports = []
    for c in cats:
        if c[0] not in transports:
            transports.append(c[0])
    rows = [[c for c in cats if c[0] == t] for t in transports]
    algs = sorted({s.compression() for lst in bars.values() for s in lst} | {"none"}, key=lambda a: (akey(a), a))
    vals = [v for lst in bars.values() for v in (s.rss_per_sub() for s in lst) if v is not None]
    peak = max((abs(v) for v in vals), default=0.0)
    unit, div = ("MiB", 1 << 20) if peak >= 2 << 20 else (("KiB", 1024) if peak >= 2048 else ("bytes", 1))

    slots_max = max(len(bars[c]) + (0 if any(s.compression() == "none" for s in bars[c]) else 1) for c in cats)
    per_row = max(len(r) for r in rows)
    width_in = max(8.0, min(22.0, 2.0 + per_row * (0.45 + 0.38 * slots_max)))
    fig, axes = plt.subplots(len(rows), 1, figsize=(width_in, 4.6 * len(rows) + 0.4), layout="constrained",
                             squeeze=False)
    for row, ax in zip(rows, axes[:, 0]):
        labels = []
        drew = False
        row_vals = []
        for ci, cat in enumerate(row):
            slots = list(bars[cat])
            if not any(s.compression() == "none" for s in slots):
                slots.insert(0, None)  # no uncompressed run of this workload
            width = 0.8 / max(len(slots), 1)
            dup = {}
            for s in slots:
                if s is not None:
                    dup.setdefault(s.compression(), []).append(s.group)
            tag = {}  # same-algorithm variants: the part of their group names that differs
            for alg, names in dup.items():
                if len(names) > 1:
                    cut = os.path.commonprefix(names).rfind("-") + 1
                    for n in names:
                        tag[(alg, n)] = n[cut:] or n
            for si, s in enumerate(slots):
                x = ci + (si - (len(slots) - 1) / 2.0) * width
                v = s.rss_per_sub() if s is not None else None
                if v is None:
                    ax.text(x, 0.02, "n/a" if s is not None else "no baseline", transform=ax.get_xaxis_transform(),
                            ha="center", va="bottom", rotation=90, fontsize=7.5, color="#888888")
                    continue
                ax.bar(x, v / div, width=width * 0.92, color=COMPRESSION_COLOR.get(s.compression(), OTHER_COLOR),
                       edgecolor="white", linewidth=0.5)
                ax.annotate("%.3g" % (v / div), (x, v / div), xytext=(0, 2 if v >= 0 else -2),
                            textcoords="offset points", ha="center", va="bottom" if v >= 0 else "top", fontsize=7)
                if (s.compression(), s.group) in tag:  # tell same-algorithm variants apart
                    ax.text(x, 0.03, tag[(s.compression(), s.group)], transform=ax.get_xaxis_transform(),
                            ha="center", va="bottom", rotation=90, fontsize=7, color="#222222", clip_on=True,
                            bbox=dict(facecolor="white", alpha=0.7, edgecolor="none", pad=1))
                row_vals.append(v / div)
                drew = True
            hv, tls = cat[1], cat[2]
            head = (HTTP_NAME[hv] if hv else "") + (" TLS" if tls else "")
            conns, streams, rate, pb, pk, topic = cat[4], cat[5], cat[6], cat[7], cat[8], cat[9]
            sub = []
            if conns is not None:
                sub.append("%s conn%s" % (fmt_int(conns), " × %s streams" % fmt_int(streams)
                                          if streams and streams > 1 else ""))
            if pb is not None:
                sub.append(("%s B %s" % (fmt_int(pb), pk or "")).strip())
            if rate is not None:
                sub.append("%s/s" % fmt_si(rate))
            if topic:
                sub.append("broadcast")
            labels.append("\n".join(filter(None, [head.strip(), wrap(", ".join(sub), 16),
                                                  "[%s]" % cat[10] if cat[10] else ""])))
        ax.set_xticks(range(len(row)))
        ax.set_xticklabels(labels, fontsize=7.5)
        ax.set_xlim(-0.6, len(row) - 0.4)
        if drew:
            ax.set_ylim(min(0, min(row_vals) * 1.2), max(row_vals) * 1.18 if max(row_vals) > 0 else 1)
            if min(row_vals) < 0:
                ax.axhline(0, color="black", linewidth=0.8)
        else:
            no_data(ax, "no server RSS measurements")
        ax.grid(True, axis="y", alpha=0.35)
        ax.set_axisbelow(True)
        ax.set_ylabel("RSS growth per subscription (%s)" % unit)
        t = row[0][0]
        ax.set_title(TRANSPORT_NAME.get(t, t), fontsize=11)
    axes[0, 0].legend(handles=[Patch(color=COMPRESSION_COLOR.get(a, OTHER_COLOR), label=a) for a in algs],
                      fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, title="compression")
    fig.suptitle("Server memory per subscription (= per connection over HTTP/1.1), by transport and compression\n"
                 "each workload that ran compressed, next to the same workload uncompressed", fontsize=11.5)
    return fig


def find_max_of(s):
    fm = s.section("find_max")
    if fm is None and s.kind() != "find-max":
        return None
    return fm or {}


def find_max_lower_bound(fm):
    """True when the ramp ended before the limit was found (so the value is only a lower bound)."""
    why = fm.get("stopped_because")
    return isinstance(why, str) and why.startswith("reached")


def chart_max_rate(w, groups, scenarios):
    fgroups = {}
    for g, members in groups.items():
        lst = [s for s in members if find_max_of(s) is not None]
        if lst:
            fgroups[g] = lst
    if not fgroups:
        return None
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(max(13, 6.5 + 2.4 * len(fgroups)), 5.4), layout="constrained",
                                 gridspec_kw={"width_ratios": [max(1.0, 0.6 * len(fgroups)), 1.3]})

    def value(s):
        return num(find_max_of(s).get("max_sustainable_events_per_s"))

    def label(s, v):
        return ("≥" if find_max_lower_bound(find_max_of(s)) else "") + fmt_si(v)

    drew = grouped_bars(a1, fgroups, value, fmt_si, label_fn=label)
    a1.set_ylabel("max sustainable events per second")
    a1.set_xlabel("scenario group")
    a1.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_si(v)))
    a1.set_title("Max sustainable rate (n/a: not even the first step held)", fontsize=11)
    if not drew:
        no_data(a1, "no sustainable rate found")
    members = [s for lst in fgroups.values() for s in lst]
    extra = []
    if any(find_max_lower_bound(find_max_of(s)) for s in members):
        extra.append(Patch(color="white", label="≥: ramp ended before the limit (lower bound)"))
    handles, seen = [], set()
    for s in members:
        if s.series not in seen:
            seen.add(s.series)
            handles.append(Patch(color=s.color, label=s.series))
    a1.legend(handles=handles + extra, fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2,
              frameon=False)

    # the ramp: p99 per step
    bounds = set()
    drew2 = False
    multi_group = len(fgroups) > 1
    for s in members:
        fm = find_max_of(s)
        b = num(fm.get("p99_bound_ms"))
        if b is not None:
            bounds.add(b)
        steps = fm.get("steps") if isinstance(fm.get("steps"), list) else []
        pts = []
        for st in steps:
            if not isinstance(st, dict):
                continue
            x, y = num(st.get("offered_events_per_s")), num(st.get("p99_us"))
            if x is not None and y is not None and x > 0 and y > 0:
                pts.append((x, y, st.get("sustainable") is True))
        if not pts:
            continue
        pts.sort()
        a2.plot([p[0] for p in pts], [p[1] for p in pts], color=s.color, linewidth=1.4,
                label=s.label + (" – " + s.group if multi_group else ""))
        for x, y, ok in pts:
            a2.plot([x], [y], linestyle="", marker="o" if ok else "X", color=s.color, markersize=7 if ok else 9)
        drew2 = True
    for b in sorted(bounds):
        a2.axhline(b * 1000.0, color="#b00020", linestyle=":", linewidth=1.2)
        a2.annotate("p99 bound %g ms" % b, (0.01, b * 1000.0), xycoords=("axes fraction", "data"),
                    xytext=(0, 3), textcoords="offset points", fontsize=8, color="#b00020")
    if drew2:
        a2.set_xscale("log")
        us_axis(a2)
        log_ticks_125(a2, [y for line in a2.get_lines() for y in line.get_ydata()] + [b * 1000.0 for b in bounds])
        xs = sorted({x for line in a2.get_lines() for x in line.get_xdata()})
        if 0 < len(xs) <= 10:
            a2.xaxis.set_major_locator(FixedLocator(xs))
            a2.xaxis.set_minor_locator(NullLocator())
        a2.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_si(v)))
        a2.margins(x=0.08)
        a2.grid(True, which="major", alpha=0.35)
        handles = a2.get_legend_handles_labels()[0]
        handles += [Line2D([], [], color="black", linestyle="", marker="o", label="sustainable step"),
                    Line2D([], [], color="black", linestyle="", marker="X", markersize=8, label="failed step")]
        a2.legend(handles=handles, fontsize=8.5, loc="best", framealpha=0.9)
    else:
        no_data(a2, "no find-max steps recorded")
    a2.set_xlabel("offered events per second (log scale)")
    a2.set_ylabel("p99 corrected latency (µs, log scale)")
    a2.set_title("Ramp: p99 latency per step", fontsize=11)
    fig.suptitle("Max sustainable rate per transport (find-max)", fontsize=12)
    return fig


def wrap(text, width=22):
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False)) if text else ""


def metric_bars(ax, items, metrics, log=False, fmt=fmt_si):
    """items: [(tick label, colour, [value per metric])]; metrics: [name]. Bars per item, hatched per metric."""
    hatches = [None, "//", "xx", ".."]
    m = len(metrics)
    width = 0.8 / max(m, 1)
    vals = []
    for i, (_lab, color, values) in enumerate(items):
        for j, v in enumerate(values):
            x = i + (j - (m - 1) / 2.0) * width
            if v is None or (log and v <= 0):
                ax.text(x, 0.02, "n/a", transform=ax.get_xaxis_transform(), ha="center", va="bottom", rotation=90,
                        fontsize=8, color="#888888")
                continue
            ax.bar(x, v, width=width * 0.92, color=color, edgecolor="white", linewidth=0.5, hatch=hatches[j % 4],
                   alpha=1.0 if j == 0 else 0.75)
            ax.annotate(fmt(v), (x, v), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                        fontsize=7.5, rotation=90 if m * len(items) > 8 else 0)
            vals.append(v)
    ax.set_xticks(range(len(items)))
    ax.set_xticklabels([it[0] for it in items], fontsize=8)
    ax.set_xlim(-0.6, len(items) - 0.4)
    if vals:
        if log:
            ax.set_yscale("log")
            ax.set_ylim(min(vals) / 3.0, max(vals) * 6.0)
            log_ticks_125(ax, [min(vals) / 3.0, max(vals) * 6.0])
        else:
            ax.set_ylim(0, max(vals) * 1.25 if max(vals) > 0 else 1)
    ax.grid(True, axis="y", alpha=0.35)
    ax.set_axisbelow(True)
    ax.legend(handles=[Patch(facecolor="#999999", edgecolor="white", hatch=hatches[j % 4], label=name)
                       for j, name in enumerate(metrics)], fontsize=8, loc="upper left", framealpha=0.9)
    return bool(vals)


def label_width(n_items):
    """Characters per tick-label line so that n_items labels fit side by side in a workloads panel."""
    return max(12, min(26, 84 // max(n_items, 1) - 3))


def item_label(s, multi_group, n_items, *extra):
    parts = [s.label]
    if multi_group:
        parts.append(s.group)
    width = label_width(n_items)
    return "\n".join(wrap(p, width) for p in parts + [e for e in extra if e])


def chart_workloads(w, scenarios, multi_report):
    panels = []
    resume = [s for s in scenarios if s.section("resume") is not None]
    chat = [s for s in scenarios if s.section("chat") is not None]
    browser = [s for s in scenarios if s.section("browser") is not None]
    slow = [s for s in scenarios if s.section("slow_consumer") is not None]

    def many_groups(lst):
        return len({s.group for s in lst}) > 1

    if resume:
        mg = many_groups(resume)

        def draw_resume(ax):
            items = []
            for s in resume:
                r = s.section("resume")
                rc = num(r.get("reconnects"))
                items.append((item_label(s, mg, len(resume), "%s reconnects" % fmt_int(rc)), s.color,
                              [num(dig(r, "recovery_us", "p50")), num(dig(r, "recovery_us", "p99"))]))
            ok = metric_bars(ax, items, ["recovery p50", "recovery p99"], log=True, fmt=fmt_us)
            if ok:
                ax.yaxis.set_major_formatter(FuncFormatter(fmt_us_tick))
            else:
                no_data(ax, "no recovery times measured")
            ax.set_ylabel("disconnect → first event again (µs, log)")
            ax.set_title("Resume after disconnect: recovery time", fontsize=10.5)
        panels.append(draw_resume)
    if chat:
        mg = many_groups(chat)

        def draw_chat(ax):
            items = []
            for s in chat:
                c = s.section("chat")
                label = mux_label(s, multi_report) if s.http_version() else s.label
                path = c.get("message_path")
                lw = label_width(len(chat))
                items.append(("\n".join(filter(None, [wrap(label, lw), wrap(s.group, lw) if mg else "",
                                                        wrap("via " + str(path), lw) if path else ""])),
                              s.color, [s.latency("corrected", "p50")[0], s.latency("corrected", "p99")[0]]))
            ok = metric_bars(ax, items, ["round trip p50", "round trip p99"], log=True, fmt=fmt_us)
            if ok:
                ax.yaxis.set_major_formatter(FuncFormatter(fmt_us_tick))
            else:
                no_data(ax, "no round-trip latency measured")
            ax.set_ylabel("send → echo received (µs, log)")
            ax.set_title("Chat: round trip by transport and message path", fontsize=10.5)
        panels.append(draw_chat)
    if browser:
        mg = many_groups(browser)

        def draw_browser(ax):
            items = []
            for s in browser:
                b = s.section("browser")
                cap = num(b.get("max_connections_per_origin"))
                hv = HTTP_NAME.get(s.http_version(), "")
                items.append((item_label(s, mg, len(browser), ("cap %s conn/origin %s" % (fmt_int(cap), hv)).strip()),
                              s.color,
                              [num(b.get("subscriptions")), num(b.get("subscriptions_waited")),
                               num(b.get("subscriptions_starved"))]))
            ok = metric_bars(ax, items, ["subscriptions", "waited for a connection", "starved (never connected)"],
                             fmt=fmt_int)
            if not ok:
                no_data(ax, "no browser-model counts")
            ax.set_ylabel("subscriptions")
            ax.set_title("Browser connection cap: waiting and starved subscriptions", fontsize=10.5)
        panels.append(draw_browser)
    if slow:
        mg = many_groups(slow)

        def draw_slow(ax):
            items = []
            for s in slow:
                sc = s.section("slow_consumer")
                closed = num(sc.get("slow_connections_closed_by_server"))
                n = num(sc.get("slow_connections"))
                # unit "stream": slow HTTP/2 streams sharing a connection with healthy ones (head-of-line)
                what = "streams" if sc.get("unit") == "stream" else "conns"
                extra = "%s slow %s, %s closed by server" % (fmt_int(n), what, fmt_int(closed))
                items.append((item_label(s, mg, len(slow), extra), s.color,
                              [s.latency("corrected", "p99")[0], num(dig(sc, "slow_latency_us", "p99"))]))
            ok = metric_bars(ax, items, ["healthy clients p99", "slow clients p99"], log=True, fmt=fmt_us)
            if ok:
                ax.yaxis.set_major_formatter(FuncFormatter(fmt_us_tick))
            else:
                no_data(ax, "no latency measured")
            ax.set_ylabel("p99 latency (µs, log)")
            ax.set_title("Slow consumers: healthy vs slow clients (or HTTP/2 streams)", fontsize=10.5)
        panels.append(draw_slow)
    if not panels:
        return None
    ncols = 2 if len(panels) > 1 else 1
    nrows = (len(panels) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(7.0 * ncols, 5.0 * nrows), layout="constrained", squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i < len(panels):
            panels[i](ax)
        else:
            ax.set_visible(False)
    fig.suptitle("Workloads: resume, chat, browser connection cap, slow consumers", fontsize=12)
    return fig


# ----------------------------------------------------------------------------------------------
# HTML


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5em auto;max-width:1400px;
     padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd}h3{font-size:1.05em}
figure{margin:1em 0}figure img,.svg svg{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.9em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}
th{background:#f4f4f4}td.metric,th.metric{text-align:left;font-weight:normal;background:#fafafa}
td.na{color:#999}td.best{font-weight:bold;background:#eef7ee}
.sub{display:block;font-weight:normal;color:#666;font-size:.8em}
.meta td,.meta th{text-align:left}.warn{color:#a15c00}.err{color:#b00020}
code{font-size:.9em}
.verdict{background:#f6f8fb;border-left:3px solid #4a7bd0;padding:.2em .8em;margin:.5em 0}
.verdict p{margin:.3em 0}.verdict ul{margin:.2em 0 .4em}
"""


def esc(x):
    return html.escape(str(x), quote=True)


def html_report_meta(paths, reports):
    rows = []
    for p, r in zip(paths, reports):
        env = r.get("environment") if isinstance(r.get("environment"), dict) else {}
        tool = r.get("tool") if isinstance(r.get("tool"), dict) else {}
        libs = env.get("libraries") if isinstance(env.get("libraries"), dict) else {}
        mem = num(env.get("memory_bytes"))
        items = [
            ("report", "<code>%s</code>" % esc(p)),
            ("suite", esc(r.get("suite") if r.get("suite") is not None else "—")),
            ("tool", esc("%s %s (%s)" % (tool.get("name", "?"), tool.get("version", "?"), tool.get("git_sha", "?")))),
            ("host", esc("%s — %s, %s CPUs, %s RAM" % (env.get("hostname", "?"), env.get("cpu_model", "?"),
                                                      env.get("cpus", "?"), fmt_bytes(mem)))),
            ("kernel / compiler", esc("%s / %s" % (env.get("kernel", "?"), env.get("compiler", "?")))),
            ("libraries", esc(", ".join("%s %s" % (k, v) for k, v in libs.items()) or "—")),
            ("run", esc("%s → %s" % (r.get("started_at", "?"), r.get("finished_at", "?")))),
            ("command", "<code>%s</code>" % esc(r.get("command", ""))),
        ]
        rows.append('<table class="meta">%s</table>' % "".join(
            '<tr><th>%s</th><td>%s</td></tr>' % (esc(k), v) for k, v in items))
    return "\n".join(rows)


def http_cell(s):
    if "http_version" not in s.d:
        return None, "n/a"
    hv = s.http_version()
    if hv:
        return None, HTTP_NAME[hv]
    return None, "none (raw TCP)" if s.transport == "raw" else "n/a"


def section_cell(key, path, fmt, text=False):
    """Table cell from the scenario's optional `key` section: (value or None, text)."""
    def f(s):
        sec = s.section(key)
        v = dig(sec, *path) if sec is not None else None
        if text:
            return None, "n/a" if v is None or v == "" else str(v)
        v = num(v)
        return v, fmt(v) if v is not None else "n/a"
    return f


def find_max_cell(s):
    fm = find_max_of(s)
    if fm is None:
        return None, "n/a"
    v = num(fm.get("max_sustainable_events_per_s"))
    if v is None:
        return None, "none sustainable"
    return v, ("≥ " if find_max_lower_bound(fm) else "") + fmt_int(v)


def slow_count_cell(s):
    sc = s.section("slow_consumer")
    v = num(dig(sc, "slow_connections")) if sc is not None else None
    if v is None:
        return None, "n/a"
    unit = sc.get("unit")
    return v, fmt_int(v) + (" streams" if unit == "stream" else " connections" if unit == "connection" else "")


SECTION_ROWS = [
    ("find_max", [("find-max: max sustainable events/s", find_max_cell, max),
                  ("find-max: p99 bound", section_cell("find_max", ["p99_bound_ms"], lambda v: "%g ms" % v), None),
                  ("find-max: stopped because", section_cell("find_max", ["stopped_because"], str, text=True), None)]),
    ("resume", [("resume: reconnects", section_cell("resume", ["reconnects"], fmt_int), None),
                ("resume: recovery p50", section_cell("resume", ["recovery_us", "p50"], fmt_us), min),
                ("resume: recovery p99", section_cell("resume", ["recovery_us", "p99"], fmt_us), min)]),
    ("chat", [("chat: message path", section_cell("chat", ["message_path"], str, text=True), None),
              ("chat: messages sent", section_cell("chat", ["messages_sent"], fmt_int), None),
              ("chat: POST connections", section_cell("chat", ["post_connections"], fmt_int), None)]),
    ("browser", [("browser: connections per origin", section_cell("browser", ["max_connections_per_origin"], fmt_int),
                  None),
                 ("browser: subscriptions waited", section_cell("browser", ["subscriptions_waited"], fmt_int), min),
                 ("browser: subscriptions starved", section_cell("browser", ["subscriptions_starved"], fmt_int), min),
                 ("browser: wait p99", section_cell("browser", ["wait_us", "p99"], fmt_us), min)]),
    ("slow_consumer", [("slow clients", slow_count_cell, None),
                       ("slow clients: p99 latency", section_cell("slow_consumer", ["slow_latency_us", "p99"], fmt_us),
                        min),
                       ("slow clients: closed by server",
                        section_cell("slow_consumer", ["slow_connections_closed_by_server"], fmt_int), None)]),
]


def html_verdict(v):
    """The report's verdict for one group (pushbench computes it; this only draws it)."""
    if not isinstance(v, dict) or not isinstance(v.get("figures"), list):
        return ""
    c = v.get("conditions") if isinstance(v.get("conditions"), dict) else {}
    runs = c.get("runs")
    cond = "phase %s, server CPUs %s, load generator CPUs %s, %s" % (
        c.get("phase") or "n/a", c.get("server_cpus") or "unpinned", c.get("loadgen_cpus") or "unpinned",
        "%s runs each" % runs if isinstance(runs, int) and runs > 1 else "a single run")
    items = []
    for f in v["figures"]:
        entries = f.get("entries") if isinstance(f, dict) else None
        entries = [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
        if not entries:
            continue
        unit = f.get("unit") or ""
        best = entries[0]
        parts = ["<b>%s</b> best (%s%s)" % (esc(best.get("transport")), esc(fmt_si(num(best.get("value")))),
                                             (" " + esc(unit)) if unit else "")]
        for e in entries[1:]:
            ratio = num(e.get("ratio"))
            parts.append("%s %s (%s)" % (esc(e.get("transport")), "%.2f×" % ratio if ratio is not None else "n/a",
                                         esc(e.get("noise"))))
        items.append("<li>%s: %s</li>" % (esc(f.get("label")), "; ".join(parts)))
    if not items:
        return ""
    return '<div class="verdict"><p>Verdict (%s):</p><ul>%s</ul></div>' % (esc(cond), "".join(items))


def html_group_table(group, members, verdict=None):
    """Rows = metrics, columns = scenarios (transports)."""
    def lat(kind, key):
        def f(s):
            v, approx = s.latency(kind, key)
            return v, ("≈" if approx else "") + fmt_us(v)
        return f

    def plain(getter, fmt):
        def f(s):
            v = getter(s)
            return v, fmt(v)
        return f

    def lost(s):
        v = num(dig(s.d, "events", "lost"))
        if v is None:
            return None, "n/a"
        exp = num(dig(s.d, "events", "expected"))
        txt = fmt_int(v)
        if exp is None:
            return None, txt + " (expected count unknown)"
        if exp > 0:
            txt += " (%.3g%%)" % (100.0 * v / exp)
        return v, txt

    rows = [
        ("events/s", plain(lambda s: s.events_per_s(), lambda v: fmt_int(v)), max),
        ("p50 corrected", lat("corrected", "p50"), min),
        ("p99 corrected", lat("corrected", "p99"), min),
        ("p99.9 corrected", lat("corrected", "p999"), min),
        ("p50 uncorrected", lat("uncorrected", "p50"), min),
        ("p99 uncorrected", lat("uncorrected", "p99"), min),
        ("p99.9 uncorrected", lat("uncorrected", "p999"), min),
        ("wire bytes/event", plain(lambda s: s.bytes_per_event(), lambda v: "n/a" if v is None else "%.1f B" % v),
         min),
        ("server CPU ns/event", plain(lambda s: s.server_cpu_ns(), lambda v: fmt_int(v)), min),
        ("server RSS/subscription", plain(lambda s: s.rss_per_sub(), fmt_bytes), min),
        ("server RSS/connection", plain(lambda s: s.rss_per_conn(), fmt_bytes), min),
        ("lost events", lost, min),
    ]
    rows = [
        ("HTTP version", http_cell, None),
        ("TLS", lambda s: (None, {True: "yes", False: "no"}.get(s.tls(), "n/a")), None),
        ("compression", lambda s: (None, s.compression() or "n/a"), None),
        ("subscriptions", plain(lambda s: s.subscriptions(), fmt_int), None),
        ("TCP connections", plain(lambda s: s.tcp_connections(), fmt_int), None),
    ] + rows
    for key, extra in SECTION_ROWS:  # rows for the workload-specific sections, when a member has one
        if any(s.section(key) is not None for s in members):
            rows += extra
    head = "".join('<th title="%s">%s<span class="sub">%s</span></th>' % (
        esc(dig(s.d, "url") or ""), esc(s.label), esc(s.name)) for s in members)
    body = []
    for title, fn, best in rows:
        cells = [fn(s) for s in members]
        nums = [v for v, _t in cells if v is not None]
        bestv = best(nums) if best and len(nums) >= 2 and len(set(nums)) > 1 else None
        tds = []
        for v, t in cells:
            cls = "na" if v is None else ("best" if bestv is not None and v == bestv else "")
            tds.append('<td class="%s">%s</td>' % (cls, esc(t)))
        body.append('<tr><td class="metric">%s</td>%s</tr>' % (esc(title), "".join(tds)))
    notes = []
    for s in members:
        errs = s.d.get("errors") if isinstance(s.d.get("errors"), dict) else {}
        errs = {k: v for k, v in errs.items() if num(v)}
        if errs:
            notes.append('<li class="err">%s: errors %s</li>' % (
                esc(s.label), esc(", ".join("%s=%s" % (k, v) for k, v in errs.items()))))
        if dig(s.d, "loadgen", "saturated") is True:
            notes.append('<li class="err">%s: load generator saturated (max thread busy %s) – results are '
                         'bounded by the client</li>' % (esc(s.label), esc(dig(s.d, "loadgen", "max_thread_busy"))))
        warns = s.d.get("warnings") if isinstance(s.d.get("warnings"), list) else []
        for wmsg in warns:
            notes.append('<li class="warn">%s: %s</li>' % (esc(s.label), esc(wmsg)))
    out = ['<h3>Group “%s”</h3><p>%s</p>' % (esc(group), esc(workload_text(members[0]))),
           html_verdict(verdict),
           '<table><tr><th class="metric">metric</th>%s</tr>%s</table>' % (head, "".join(body))]
    if notes:
        out.append("<ul>%s</ul>" % "".join(notes))
    return "\n".join(out)


def html_figure(w, stem):
    title, emb = w.figures[stem]
    return "<figure>%s<figcaption>%s</figcaption></figure>" % (emb, esc(title))


def write_html(w, paths, reports, groups, group_stems):
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>pushbench results</title><style>%s</style></head><body>" % CSS,
             "<h1>pushbench results</h1>",
             "<p>Latency is measured from the server's send timestamp to receipt; “corrected” accounts for "
             "coordinated omission (measured from the intended send time). Best value per row in bold; "
             "≈ marks values estimated from histograms; n/a means not measured.</p>",
             "<h2>Reports</h2>", html_report_meta(paths, reports), "<h2>Groups</h2>"]
    if not groups:
        parts.append("<p>No scenarios in the given report(s).</p>")
    # Verdicts compare the transports of one report; with several reports a group mixes them.
    verdicts = {}
    if len(reports) == 1 and isinstance(reports[0].get("verdicts"), list):
        verdicts = {v["group"]: v for v in reports[0]["verdicts"]
                    if isinstance(v, dict) and isinstance(v.get("group"), str)}
    for g, members in groups.items():
        parts.append(html_group_table(g, members, verdicts.get(g)))
        parts.append(html_figure(w, group_stems[g]))
    parts.append("<h2>Comparisons across groups</h2>")
    for stem in w.figures:
        if stem not in group_stems.values():
            parts.append(html_figure(w, stem))
    parts.append("</body></html>")
    path = os.path.join(w.outdir, "index.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(parts) + "\n")
    w.written.append(path)


# ----------------------------------------------------------------------------------------------


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
        if f not in ("png", "svg", "pdf"):
            ap.error("unsupported format '%s' (use png, svg or pdf)" % f)
        if f not in fmts:
            fmts.append(f)
    if not fmts:
        ap.error("--format needs at least one of png, svg, pdf")
    args.formats = fmts
    return args


def chart_browser_cost(w, scenarios):
    """Headless Chromium's own cost (`client: chromium` runs, stream workload without compression): renderer and
    network-service CPU per event and RSS per subscription vs subscriptions, one line per API and protocol."""
    items = [s for s in scenarios if s.d.get("client") == "chromium" and s.kind() == "stream"
             and s.compression() in (None, "none") and s.subscriptions() is not None
             and isinstance(dig(s.d, "chromium", "cost"), dict)]
    if len({s.subscriptions() for s in items}) < 2:
        return None
    lines = split_lines(items, lambda s: s.series, lambda s: s.series)
    color_of = {s.series: s.color for s in items}
    panels = [("renderer", "cpu_ns_per_event", 1e3, "Renderer CPU per event", "µs above the idle page"),
              ("network", "cpu_ns_per_event", 1e3, "Network service CPU per event", "µs above the idle page"),
              ("renderer", "rss_bytes_per_subscription", 1024, "Renderer RSS per subscription", "KiB"),
              ("network", "rss_bytes_per_subscription", 1024, "Network service RSS per subscription", "KiB")]

    def style(k, _sig, pts):
        return color_of.get(k, OTHER_COLOR), "-", "o"

    fig, axes, lax = panels_with_legend_row(2, 2, 6.0, 4.0, len(lines), 3)
    xs = [s.subscriptions() for s in items]
    for ax, (proc, key, scale, title, unit) in zip([a for row in axes for a in row], panels):
        def value(s, proc=proc, key=key, scale=scale):
            v = num(dig(s.d, "chromium", "cost", proc, key))
            return v / scale if v is not None else None
        if not line_panel(ax, lines, lambda s: s.subscriptions(), value, style, log_y=False):
            no_data(ax, "no measurements")
        ax.set_title(title, fontsize=11)
        ax.set_ylabel(unit)
        subscriptions_axis(ax, xs)
    handles = [Line2D([], [], color=color_of.get(k, OTHER_COLOR), marker="o", label=label)
               for k, label, _sig, _p in lines]
    if handles:
        lax.legend(handles=handles, fontsize=8.5, loc="upper center", ncol=3, frameon=False)
    fig.suptitle("Headless Chromium's own cost: EventSource vs WebSocket, HTTP/1.1 vs HTTP/2", fontsize=12)
    return fig


def chart_infra_cost(w, scenarios):
    """Who pays in front of the subscribers: the backend server's and the reverse proxy's (or the
    broker's) CPU per event and RSS per connection, for every group that has a proxy or broker run
    (`proxy` / `broker` sections), beside the same group's runs straight to our server."""
    groups = {s.group for s in scenarios
              if isinstance(s.d.get("proxy"), dict) or isinstance(s.d.get("broker"), dict)}
    items = [s for s in scenarios if s.group in groups]
    if not items:
        return None

    def infra(s):
        return s.d.get("proxy") if isinstance(s.d.get("proxy"), dict) else s.d.get("broker")

    def values(s, key, scale):
        mid = infra(s)
        ours = None if isinstance(s.d.get("broker"), dict) else num(dig(s.d, "server", key))
        front = num(mid.get(key)) if isinstance(mid, dict) else None
        return [v / scale if v is not None else None for v in (ours, front)]

    def label(s):
        mid = infra(s)
        via = "via %s" % mid.get("name") if isinstance(mid, dict) else "direct"
        size = num(dig(s.d, "workload", "payload_bytes"))
        return "\n".join([s.label, "%s subs" % fmt_int(s.subscriptions()),
                          "%s B" % fmt_int(size) if size is not None else "", via])

    fig, axes = plt.subplots(1, 2, figsize=(max(8.0, 1.3 * len(items) + 3), 4.6))
    metrics = ["our server", "proxy / broker"]
    for ax, (key, scale, title, unit) in zip(axes, [
            ("cpu_ns_per_event", 1e3, "CPU per event received", "µs"),
            ("rss_bytes_per_connection", 1024, "RSS per connection", "KiB")]):
        bars = [(label(s), s.color, values(s, key, scale)) for s in items]
        if not metric_bars(ax, bars, metrics, log=True):
            no_data(ax, "no measurements")
        ax.set_title(title, fontsize=11)
        ax.set_ylabel(unit)
    fig.suptitle("Infrastructure in the path: backend vs reverse proxy or broker", fontsize=12)
    fig.tight_layout()
    return fig


def main(argv=None):
    args = parse_args(argv)
    try:
        reports = [load_report(p) for p in args.reports]
    except InputError as e:
        print("%s: error: %s" % (PROG, e), file=sys.stderr)
        return 2
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        print("%s: error: cannot create output directory '%s': %s" % (PROG, args.out, e.strerror or e),
              file=sys.stderr)
        return 2
    tags = report_tags(args.reports)
    scenarios, groups, _series = build_model(reports, tags)
    multi = len(reports) > 1
    w = Writer(args.out, args.formats)

    group_stems = {}
    try:
        for g, members in groups.items():
            stem = "latency_percentiles_" + slug(g)
            base, i = stem, 2
            while stem in group_stems.values():
                stem = "%s-%d" % (base, i)
                i += 1
            group_stems[g] = stem
            w.save(chart_percentiles(w, g, members), stem, "Latency by percentile – group “%s”" % g)
        w.save(chart_latency_summary(w, groups, scenarios), "latency_summary",
               "Corrected latency (p50/p99/p99.9) per group, by transport")
        w.save(chart_throughput(w, groups, scenarios), "throughput", "Throughput per group, by transport")
        w.save(chart_wire(w, groups, scenarios), "wire_overhead", "Wire bytes per event vs payload bytes")
        w.save(chart_server_cost(w, groups, scenarios), "server_cost",
               "Server CPU per event and RSS per subscription")
        optional = [
            (lambda: chart_scaling(w, scenarios), "scaling", "Throughput and server CPU per event vs subscriptions"),
            (lambda: chart_multiplexing(w, scenarios, multi), "multiplexing",
             "HTTP/1.1 vs HTTP/2 multiplexing: server CPU, memory, TCP connections and p99 by subscriptions"),
            (lambda: chart_memory_compression(w, scenarios, multi), "memory_compression",
             "Server memory per subscription by transport and compression"),
            (lambda: chart_max_rate(w, groups, scenarios), "max_rate", "Max sustainable rate per transport (find-max)"),
            (lambda: chart_infra_cost(w, scenarios), "infra_cost",
             "Backend server vs reverse proxy or broker: CPU per event and RSS per connection"),
            (lambda: chart_browser_cost(w, scenarios), "browser_cost",
             "Headless Chromium: CPU per event and RSS per subscription (renderer, network service)"),
            (lambda: chart_workloads(w, scenarios, multi), "workloads",
             "Workloads: resume recovery, chat round trip, browser connection cap, slow consumers"),
        ]
        for make, stem, title in optional:  # each returns None when the reports hold no data for it
            fig = make()
            if fig is not None:
                w.save(fig, stem, title)
        write_html(w, args.reports, reports, groups, group_stems)
    except OSError as e:
        print("%s: error: cannot write to '%s': %s" % (PROG, args.out, e.strerror or e), file=sys.stderr)
        return 2
    for p in w.written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
