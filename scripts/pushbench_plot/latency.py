"""Latency charts: the percentile curves of one group, and p50/p99/p99.9 of every group side by side."""

from matplotlib.lines import Line2D

from .axes import legend_for_series, na_mark, no_data, percentile_axis, slot_x, us_axis, value_label
from .fmt import fmt_int, fmt_us
from .labels import workload_text
from .style import plt

SUMMARY_PERCENTILES = [("p50", "p50"), ("p99", "p99"), ("p999", "p99.9")]


def _curve_handle(ax, s, max_x):
    """Draw a scenario's corrected (solid) and uncorrected (dashed) curves; returns (its legend entry, drew?)."""
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
        have_any = True
    if not have_any:
        missing = Line2D([], [], color="#bbbbbb", linewidth=2, linestyle=":", label=s.label + " – no latency data")
        return missing, False
    ov = s.dist["corrected"].overflow
    note = " (%s above histogram range)" % fmt_int(ov) if ov else ""
    return Line2D([], [], color=s.color, linewidth=2, label=s.label + note), True


def chart_percentiles(group, members):
    """Latency by percentile (HDR-style curve from the histograms) of every scenario of one group."""
    fig, ax = plt.subplots(figsize=(10, 5.6), layout="constrained")
    totals = [s.dist["corrected"].total for s in members if not s.dist["corrected"].empty()]
    totals += [s.dist["uncorrected"].total for s in members if not s.dist["uncorrected"].empty()]
    max_x = 1e6 if totals and max(totals) > 1e5 else 1e5
    handles = []
    drew = False
    for s in members:
        handle, drew_one = _curve_handle(ax, s, max_x)
        handles.append(handle)
        drew = drew or drew_one
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


def _summary_panel(ax, g, members):
    """p50/p99/p99.9 bars of one group, one colour per scenario."""
    m = len(members)
    width = 0.8 / m
    vals = []
    for i, s in enumerate(members):
        for pi, (key, _lab) in enumerate(SUMMARY_PERCENTILES):
            x = slot_x(i, m, width, pi)
            v = s.latency("corrected", key)
            if v is None or v <= 0:
                na_mark(ax, x)
                continue
            vals.append(v)
            ax.bar(x, v, width=width * 0.92, color=s.color, edgecolor="white", linewidth=0.5)
            value_label(ax, x, v, fmt_us(v), 7, 90 if m > 2 else 0)
    ax.set_xticks(range(len(SUMMARY_PERCENTILES)))
    ax.set_xticklabels([lab for _k, lab in SUMMARY_PERCENTILES])
    ax.set_xlim(-0.6, len(SUMMARY_PERCENTILES) - 0.4)
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


def chart_latency_summary(groups):
    """Corrected p50/p99/p99.9 per group (one panel each), from the report's latency summaries."""
    names = list(groups)
    n = max(len(names), 1)
    ncols = min(3, n)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols + 0.8, 4.4 * nrows + 0.6),
                             layout="constrained", squeeze=False)
    for idx, ax in enumerate(axes.flat):
        if idx < len(names):
            _summary_panel(ax, names[idx], groups[names[idx]])
        elif names:
            ax.set_visible(False)
        else:
            no_data(ax, "no scenarios")
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle("Corrected latency (p50 / p99 / p99.9) per group, by transport", fontsize=12)
    return fig
