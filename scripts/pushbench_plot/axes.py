"""Drawing helpers shared by the chart modules: axes, bars, lines and legends."""

from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter, NullLocator

from .fmt import fmt_int, fmt_si, fmt_us_tick
from .style import plt

MAX_ANNOTATED_BARS = 30
MAX_FIG_WIDTH = 26.0  # inches; charts with many groups get narrower bars instead of an unviewable width
HATCHES = [None, "//", "xx", ".."]


def no_data(ax, text="no data"):
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#888888", fontsize=12)


def na_mark(ax, x, text="n/a", fontsize=8):
    """A vertical grey note where a bar would stand but has no value."""
    ax.text(x, 0.02, text, transform=ax.get_xaxis_transform(), ha="center", va="bottom", rotation=90,
            fontsize=fontsize, color="#888888")


def value_label(ax, x, v, text, fontsize, rotation=0):
    """The value written at the end of a bar (below it for a negative bar)."""
    ax.annotate(text, (x, v), xytext=(0, 2 if v >= 0 else -2), textcoords="offset points", ha="center",
                va="bottom" if v >= 0 else "top", fontsize=fontsize, rotation=rotation)


def slot_x(i, n, width, centre=0.0):
    """x of bar i of n side by side around `centre`."""
    return centre + (i - (n - 1) / 2.0) * width


def percentile_axis(ax, max_x):
    """Log x axis of 1/(1 − p), labelled 0%, 50%, 90%, 99%, 99.9% ... up to max_x."""
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


def us_axis(ax):
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(fmt_us_tick))


def si_axis(ax):
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_si(v)))


def log_ticks_125(ax, values):
    """On a log y axis spanning under two decades, label 1-2-5 steps rather than powers of ten only."""
    pos = [y for y in values if y is not None and y > 0]
    if pos and max(pos) / min(pos) < 100:
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_minor_formatter(NullFormatter())


def few_ticks(axis, values, most):
    """Ticks at the distinct values themselves when there are at most `most` of them."""
    distinct = sorted(set(values))
    if 0 < len(distinct) <= most:
        axis.set_major_locator(FixedLocator(distinct))
        axis.set_minor_locator(NullLocator())


def subscriptions_axis(ax, xs):
    ax.set_xscale("log")
    few_ticks(ax.xaxis, xs, 10)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_int(v) if v < 1e5 else fmt_si(v)))
    ax.set_xlabel("subscriptions (log scale)")
    ax.margins(x=0.08)
    ax.grid(True, which="major", alpha=0.35)


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


def legend_row(lax, handles):
    """The legend of a panels_with_legend_row figure, in its own row."""
    lax.legend(handles=handles, fontsize=8.5, loc="upper center", ncol=3, frameon=False)


def series_handles(scenarios):
    """One colour patch per series, in first-appearance order."""
    handles, seen = [], set()
    for s in scenarios:
        if s.series not in seen:
            seen.add(s.series)
            handles.append(Patch(color=s.color, label=s.series))
    return handles


def legend_for_series(ax, scenarios, extra=(), outside=False):
    handles = series_handles(scenarios) + list(extra)
    if not handles:
        return
    if outside:
        ax.legend(handles=handles, fontsize=9, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    else:
        ax.legend(handles=handles, fontsize=9, loc="upper left", framealpha=0.9)


def group_ticks(ax, names):
    """x ticks of a chart with one cluster of bars per name, rotated as the count requires."""
    ax.set_xticks(range(len(names)))
    rot = 0 if len(names) <= 4 else (20 if len(names) <= 12 else 45)
    ax.set_xticklabels(names, rotation=rot, ha="right" if rot else "center",
                       rotation_mode="anchor" if rot else "default", fontsize=None if len(names) <= 20 else 7.5)
    ax.set_xlim(-0.6, len(names) - 0.4)


def grouped_bars(ax, groups, value_fn, fmt, annotate=True, log=False, label_fn=None):
    """Bars per scenario clustered by group. value_fn(s) -> float or None. Returns True if any bar drawn.

    label_fn(s, v) -> str overrides fmt(v) for the value annotation of a bar."""
    names = list(groups)
    width_slots = max((len(m) for m in groups.values()), default=1)
    width = 0.8 / max(width_slots, 1)
    annotate = annotate and sum(len(m) for m in groups.values()) <= MAX_ANNOTATED_BARS
    seen = set()
    vals = []
    for gi, g in enumerate(names):
        members = groups[g]
        for i, s in enumerate(members):
            x = slot_x(i, len(members), width, gi)
            v = value_fn(s)
            if v is not None and log and v <= 0:
                v = None
            if v is None:
                na_mark(ax, x)
                continue
            label = s.series if s.series not in seen else None
            seen.add(s.series)
            ax.bar(x, v, width=width * 0.92, color=s.color, label=label, edgecolor="white", linewidth=0.5)
            vals.append(v)
            if annotate:
                value_label(ax, x, v, label_fn(s, v) if label_fn else fmt(v), 7.5, 90 if width_slots > 3 else 0)
    group_ticks(ax, names)
    if log:
        ax.set_yscale("log")
    if vals:
        if log:
            ax.set_ylim(min(vals) / 3.0, max(vals) * 4.0)
        else:
            ax.set_ylim(0, max(vals) * 1.18)
    ax.grid(True, axis="y", alpha=0.35)
    ax.set_axisbelow(True)
    return bool(vals)


def metric_bars(ax, items, metrics, log=False, fmt=fmt_si):
    """items: [(tick label, colour, [value per metric])]; metrics: [name]. Bars per item, hatched per metric."""
    m = len(metrics)
    width = 0.8 / max(m, 1)
    vals = []
    for i, (_lab, color, values) in enumerate(items):
        for j, v in enumerate(values):
            x = slot_x(j, m, width, i)
            if v is None or (log and v <= 0):
                na_mark(ax, x)
                continue
            ax.bar(x, v, width=width * 0.92, color=color, edgecolor="white", linewidth=0.5, hatch=HATCHES[j % 4],
                   alpha=1.0 if j == 0 else 0.75)
            value_label(ax, x, v, fmt(v), 7.5, 90 if m * len(items) > 8 else 0)
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
    ax.legend(handles=[Patch(facecolor="#999999", edgecolor="white", hatch=HATCHES[j % 4], label=name)
                       for j, name in enumerate(metrics)], fontsize=8, loc="upper left", framealpha=0.9)
    return bool(vals)


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


def line_panel(ax, lines, y_fn, style_fn, log_y=None):
    """Plot one line per entry of `lines` (see split_lines) over subscriptions; returns the y values drawn."""
    ys_all = []
    for key, label, sig, pts in lines:
        xy = [(s.subscriptions, y_fn(s)) for s in pts]
        xy = sorted((x, y) for x, y in xy if x is not None and y is not None and (log_y is not True or y > 0))
        if not xy:
            continue
        color, ls, marker = style_fn(key, sig)
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


def line_handles(lines, style_fn):
    """Legend entries for the lines of split_lines, styled as line_panel drew them."""
    handles = []
    for key, label, sig, _pts in lines:
        color, ls, marker = style_fn(key, sig)
        handles.append(Line2D([], [], color=color, linestyle=ls, marker=marker, label=label))
    return handles
