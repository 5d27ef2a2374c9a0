"""Server memory per subscription with and without compression, per transport, for matching workloads."""

import os

from matplotlib.patches import Patch

from .axes import na_mark, no_data, slot_x, value_label
from .fmt import byte_unit, fmt_int, fmt_si, wrap
from .style import COMPRESSION_COLOR, HTTP_NAME, OTHER_COLOR, TRANSPORT_NAME, compression_key, plt, transport_key


def _base(s, multi_report):
    """The workload apart from compression (a compressed run's baseline has the same)."""
    return (s.transport, s.http_version, s.tls, s.kind, s.connections, s.streams_per_connection, s.rate_per_stream,
            s.payload_bytes, s.payload_kind, s.topic, s.report_tag if multi_report else None)


def _categories(scenarios, multi_report):
    """(workloads that ran compressed, by transport then first appearance; workload -> its scenarios)."""
    compressed = [s for s in scenarios if s.compression not in (None, "none")]
    cats = []
    for s in sorted(compressed, key=lambda s: transport_key(s.transport)):
        if _base(s, multi_report) not in cats:
            cats.append(_base(s, multi_report))
    bars = {c: [] for c in cats}
    for s in scenarios:
        if s.compression is not None and _base(s, multi_report) in bars:
            bars[_base(s, multi_report)].append(s)
    for c in cats:
        bars[c].sort(key=lambda s: (compression_key(s.compression), s.group))
    return cats, bars


def _tick_label(cat):
    hv, tls, conns, streams, rate, pb, pk, topic, tag = cat[1], cat[2], cat[4], cat[5], cat[6], cat[7], cat[8], \
        cat[9], cat[10]
    head = (HTTP_NAME[hv] if hv else "") + (" TLS" if tls else "")
    sub = []
    if conns is not None:
        sub.append("%s conn%s" % (fmt_int(conns), " × %s streams" % fmt_int(streams) if streams and streams > 1
                                  else ""))
    if pb is not None:
        sub.append(("%s B %s" % (fmt_int(pb), pk or "")).strip())
    if rate is not None:
        sub.append("%s/s" % fmt_si(rate))
    if topic:
        sub.append("broadcast")
    return "\n".join(filter(None, [head.strip(), wrap(", ".join(sub), 16), "[%s]" % tag if tag else ""]))


def _variant_tags(slots):
    """Same-algorithm variants of one workload: (algorithm, group) -> the part of the group name that differs."""
    dup = {}
    for s in slots:
        if s is not None:
            dup.setdefault(s.compression, []).append(s.group)
    tag = {}
    for alg, names in dup.items():
        if len(names) > 1:
            cut = os.path.commonprefix(names).rfind("-") + 1
            for n in names:
                tag[(alg, n)] = n[cut:] or n
    return tag


def _category_bars(ax, ci, slots, div):
    """The bars of one workload at x = ci; returns the values drawn."""
    width = 0.8 / max(len(slots), 1)
    tag = _variant_tags(slots)
    vals = []
    for si, s in enumerate(slots):
        x = slot_x(si, len(slots), width, ci)
        v = s.rss_per_sub if s is not None else None
        if v is None:
            na_mark(ax, x, "n/a" if s is not None else "no baseline", 7.5)
            continue
        ax.bar(x, v / div, width=width * 0.92, color=COMPRESSION_COLOR.get(s.compression, OTHER_COLOR),
               edgecolor="white", linewidth=0.5)
        value_label(ax, x, v / div, "%.3g" % (v / div), 7)
        if (s.compression, s.group) in tag:  # tell same-algorithm variants apart
            ax.text(x, 0.03, tag[(s.compression, s.group)], transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", rotation=90, fontsize=7, color="#222222", clip_on=True,
                    bbox=dict(facecolor="white", alpha=0.7, edgecolor="none", pad=1))
        vals.append(v / div)
    return vals


def _row_panel(ax, row, bars, unit, div):
    """One transport's workloads: the uncompressed baseline (or "no baseline") beside each compressed run."""
    row_vals = []
    for ci, cat in enumerate(row):
        slots = list(bars[cat])
        if not any(s.compression == "none" for s in slots):
            slots.insert(0, None)  # no uncompressed run of this workload
        row_vals += _category_bars(ax, ci, slots, div)
    ax.set_xticks(range(len(row)))
    ax.set_xticklabels([_tick_label(cat) for cat in row], fontsize=7.5)
    ax.set_xlim(-0.6, len(row) - 0.4)
    if row_vals:
        ax.set_ylim(min(0, min(row_vals) * 1.2), max(row_vals) * 1.18 if max(row_vals) > 0 else 1)
        if min(row_vals) < 0:
            ax.axhline(0, color="black", linewidth=0.8)
    else:
        no_data(ax, "no server RSS measurements")
    ax.grid(True, axis="y", alpha=0.35)
    ax.set_axisbelow(True)
    ax.set_ylabel("RSS growth per subscription (%s)" % unit)
    ax.set_title(TRANSPORT_NAME.get(row[0][0], row[0][0]), fontsize=11)


def chart_memory_compression(scenarios, multi_report):
    """Server RSS per subscription with and without compression, per transport, for matching workloads.

    One row of panels per transport; x = workloads that ran with compression (the same workload without it is
    its baseline), one bar per scenario coloured by algorithm. Several compressed variants of one workload
    (e.g. context takeover on/off) each get a bar labelled with their group."""
    cats, bars = _categories(scenarios, multi_report)
    if not cats:
        return None
    transports = []
    for c in cats:
        if c[0] not in transports:
            transports.append(c[0])
    rows = [[c for c in cats if c[0] == t] for t in transports]
    algs = sorted({s.compression for lst in bars.values() for s in lst} | {"none"},
                  key=lambda a: (compression_key(a), a))
    vals = [v for lst in bars.values() for v in (s.rss_per_sub for s in lst) if v is not None]
    unit, div = byte_unit(max((abs(v) for v in vals), default=0.0))
    slots_max = max(len(bars[c]) + (0 if any(s.compression == "none" for s in bars[c]) else 1) for c in cats)
    per_row = max(len(r) for r in rows)
    width_in = max(8.0, min(22.0, 2.0 + per_row * (0.45 + 0.38 * slots_max)))
    fig, axes = plt.subplots(len(rows), 1, figsize=(width_in, 4.6 * len(rows) + 0.4), layout="constrained",
                             squeeze=False)
    for row, ax in zip(rows, axes[:, 0]):
        _row_panel(ax, row, bars, unit, div)
    axes[0, 0].legend(handles=[Patch(color=COMPRESSION_COLOR.get(a, OTHER_COLOR), label=a) for a in algs],
                      fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, title="compression")
    fig.suptitle("Server memory per subscription (= per connection over HTTP/1.1), by transport and compression\n"
                 "each workload that ran compressed, next to the same workload uncompressed", fontsize=11.5)
    return fig
