"""Per-group comparisons by transport: throughput, server cost (CPU and memory) and wire efficiency."""

from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from .axes import (MAX_FIG_WIDTH, few_ticks, grouped_bars, legend_for_series, no_data, panels_with_legend_row,
                   si_axis, slot_x)
from .fmt import byte_unit, fmt_int, fmt_si
from .style import PAYLOAD_MARKERS, plt


def _wide_range(values):
    """True when positive values span more than a factor 50 (a log axis then)."""
    pos = [v for v in values if v is not None and v > 0]
    return bool(pos) and max(pos) / min(pos) > 50


def _offered(s):
    # find-max ramps its rate, so rate_per_stream is not the offered rate there
    return s.offered_rate if s.kind != "find-max" else None


def _throughput_marks(ax, groups):
    """Dashed offered-rate line per group and a note on every scenario whose load generator saturated."""
    extra = []
    slots = max((len(m) for m in groups.values()), default=1)
    for gi, g in enumerate(groups):
        rates = [r for r in (_offered(s) for s in groups[g]) if r is not None]
        if rates:
            ax.hlines(max(rates), gi - 0.45, gi + 0.45, colors="black", linestyles="dashed", linewidth=1)
            if not extra:
                extra.append(Line2D([], [], color="black", linestyle="--", label="offered rate"))
        for i, s in enumerate(groups[g]):
            if s.saturated:
                ax.text(slot_x(i, len(groups[g]), 0.8 / slots, gi), 0.5, "load generator saturated",
                        transform=ax.get_xaxis_transform(), rotation=90, ha="center", va="center", fontsize=7.5,
                        color="#b00020", bbox=dict(facecolor="white", alpha=0.85, edgecolor="none", pad=1.5))
    return extra


def chart_throughput(groups, scenarios):
    """Received events/s per group and transport, with the offered rate."""
    fig, ax = plt.subplots(figsize=(min(MAX_FIG_WIDTH, max(7.5, 1.0 + 2.4 * len(groups))), 5.2), layout="constrained")
    log = _wide_range([s.events_per_s for s in scenarios])
    drew = grouped_bars(ax, groups, lambda s: s.events_per_s, fmt_si, log=log)
    extra = _throughput_marks(ax, groups)
    offered = [r for r in (_offered(s) for s in scenarios) if r is not None]
    if offered:
        lo, hi = ax.get_ylim()
        ax.set_ylim(lo, max(hi, max(offered) * (4.0 if log else 1.18)))
    if not drew:
        no_data(ax, "no throughput data")
    ax.set_ylabel("received events per second" + (" (log scale)" if log else ""))
    ax.set_xlabel("scenario group")
    si_axis(ax)
    ax.set_title("Throughput per group, by transport", fontsize=12)
    legend_for_series(ax, scenarios, extra, outside=True)
    return fig


def chart_server_cost(groups, scenarios):
    """Server CPU per event and RSS growth per subscription, per group and transport."""
    if len(groups) <= 3:
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(max(11, 1.5 + 4.0 * len(groups)), 5.2), layout="constrained")
    else:  # many groups: the two panels one above the other, each as wide as the figure
        fig, (a1, a2) = plt.subplots(2, 1, figsize=(min(MAX_FIG_WIDTH, max(11, 2.5 + 1.4 * len(groups))), 10.5),
                                     layout="constrained")
    log = _wide_range([s.server_cpu_ns for s in scenarios])
    d1 = grouped_bars(a1, groups, lambda s: s.server_cpu_ns, fmt_si, log=log)
    a1.set_title("Server CPU per event", fontsize=11)
    a1.set_ylabel("server CPU time per event (ns%s)" % (", log scale" if log else ""))
    a1.set_xlabel("scenario group")
    si_axis(a1)
    if not d1:
        no_data(a1, "no server CPU measurements")
    # Per subscription: equal to per connection over HTTP/1.1, and comparable with HTTP/2 (many streams per
    # connection) where a per-connection figure is not.
    vals = [s.rss_per_sub for s in scenarios if s.rss_per_sub is not None]
    unit, div = byte_unit(max((abs(v) for v in vals), default=0.0))
    d2 = grouped_bars(a2, groups, lambda s: None if s.rss_per_sub is None else s.rss_per_sub / div,
                      lambda v: "%.3g" % v)
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


def _wire_points(scenarios):
    """label -> (colour, marker, [(payload bytes, wire bytes per event, group)]).

    A series that ran several payload kinds (compression depends on them: json, text, random) gets one line per
    kind, told apart by marker, rather than one line zigzagging between kinds at the same size."""
    kinds_of = {}
    for s in scenarios:
        kinds_of.setdefault(s.series, set()).add(s.payload_kind)
    pts = {}
    for s in scenarios:
        if s.payload_bytes is None or s.bytes_per_event is None:
            continue
        split = len(kinds_of[s.series]) > 1
        label = s.series + (" – %s payload" % (s.payload_kind or "?") if split else "")
        marker = PAYLOAD_MARKERS.get(s.payload_kind, "o") if split else "o"
        pts.setdefault(label, (s.color, marker, []))[2].append((s.payload_bytes, s.bytes_per_event, s.group))
    return pts


def _wire_axes(a1, a2, allx):
    """Reference lines and x axes of the two wire panels."""
    if allx:
        lo, hi = min(allx), max(allx)
        ref = [lo, hi] if hi > lo else [lo * 0.5, lo * 1.5 + 1]
        a1.plot(ref, ref, linestyle=":", color="#555555", label="payload only (no framing)")
        a2.axhline(0, linestyle=":", color="#555555")
        if hi == lo:
            for a in (a1, a2):
                a.set_xlim(ref[0], ref[1])
    logx = bool(allx) and min(allx) > 0 and max(allx) / min(allx) >= 20
    for a in (a1, a2):
        if logx:
            a.set_xscale("log")
        a.set_xlabel("payload bytes per event" + (" (log scale)" if logx else ""))
        a.grid(True, alpha=0.35)
        a.margins(x=0.08)
        few_ticks(a.xaxis, allx, 8)
        a.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_int(v) if abs(v) < 1e5 else fmt_si(v)))


def chart_wire(scenarios):
    """Wire bytes per event, and the framing overhead over the payload, against payload size."""
    pts = _wire_points(scenarios)
    if len(pts) <= 8:
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(13, 5.2), layout="constrained")
        lax = None
    else:  # a long legend goes in a row of its own below the panels
        fig, ((a1, a2),), lax = panels_with_legend_row(1, 2, 6.5, 5.0, len(pts) + 1, 3)
    if not pts:
        for a in (a1, a2):
            no_data(a, "no wire/payload data")
    for label, (color, marker, lst) in pts.items():
        lst.sort()
        xs = [p[0] for p in lst]
        a1.plot(xs, [p[1] for p in lst], marker=marker, color=color, label=label)
        a2.plot(xs, [p[1] - p[0] for p in lst], marker=marker, color=color, label=label)
        if len(pts) <= 6 and len(lst) <= 8:
            for x, y, g in lst:
                a2.annotate(g, (x, y - x), xytext=(4, 3), textcoords="offset points", fontsize=7, color=color)
    _wire_axes(a1, a2, [p[0] for _c, _m, lst in pts.values() for p in lst])
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
