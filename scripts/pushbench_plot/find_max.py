"""find-max: the max sustainable rate per transport, and the ramp's p99 per step."""

from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from .axes import few_ticks, grouped_bars, log_ticks_125, no_data, series_handles, si_axis, us_axis
from .fmt import fmt_si, num
from .style import plt


def find_max_of(s):
    """The scenario's find_max section ({} for a find-max run without one), None when it is no find-max run."""
    fm = s.section("find_max")
    if fm is None and s.kind != "find-max":
        return None
    return fm or {}


def find_max_lower_bound(fm):
    """True when the ramp ended before the limit was found (so the value is only a lower bound)."""
    why = fm.get("stopped_because")
    return isinstance(why, str) and why.startswith("reached")


def _rate_panel(ax, fgroups, members):
    def label(s, v):
        return ("≥" if find_max_lower_bound(find_max_of(s)) else "") + fmt_si(v)

    drew = grouped_bars(ax, fgroups, lambda s: num(find_max_of(s).get("max_sustainable_events_per_s")), fmt_si,
                        label_fn=label)
    ax.set_ylabel("max sustainable events per second")
    ax.set_xlabel("scenario group")
    si_axis(ax)
    ax.set_title("Max sustainable rate (n/a: not even the first step held)", fontsize=11)
    if not drew:
        no_data(ax, "no sustainable rate found")
    extra = []
    if any(find_max_lower_bound(find_max_of(s)) for s in members):
        extra.append(Patch(color="white", label="≥: ramp ended before the limit (lower bound)"))
    ax.legend(handles=series_handles(members) + extra, fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.14),
              ncol=2, frameon=False)


def _steps(fm):
    """(offered events/s, p99 µs, sustainable?) of every usable step, ascending."""
    steps = fm.get("steps") if isinstance(fm.get("steps"), list) else []
    pts = []
    for st in steps:
        if not isinstance(st, dict):
            continue
        x, y = num(st.get("offered_events_per_s")), num(st.get("p99_us"))
        if x is not None and y is not None and x > 0 and y > 0:
            pts.append((x, y, st.get("sustainable") is True))
    return sorted(pts)


def _ramp_axes(ax, bounds):
    ax.set_xscale("log")
    us_axis(ax)
    log_ticks_125(ax, [y for line in ax.get_lines() for y in line.get_ydata()] + [b * 1000.0 for b in bounds])
    few_ticks(ax.xaxis, [x for line in ax.get_lines() for x in line.get_xdata()], 10)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_si(v)))
    ax.margins(x=0.08)
    ax.grid(True, which="major", alpha=0.35)
    handles = ax.get_legend_handles_labels()[0]
    handles += [Line2D([], [], color="black", linestyle="", marker="o", label="sustainable step"),
                Line2D([], [], color="black", linestyle="", marker="X", markersize=8, label="failed step")]
    ax.legend(handles=handles, fontsize=8.5, loc="best", framealpha=0.9)


def _ramp_panel(ax, members, multi_group):
    bounds = set()
    drew = False
    for s in members:
        fm = find_max_of(s)
        b = num(fm.get("p99_bound_ms"))
        if b is not None:
            bounds.add(b)
        pts = _steps(fm)
        if not pts:
            continue
        ax.plot([p[0] for p in pts], [p[1] for p in pts], color=s.color, linewidth=1.4,
                label=s.label + (" – " + s.group if multi_group else ""))
        for x, y, ok in pts:
            ax.plot([x], [y], linestyle="", marker="o" if ok else "X", color=s.color, markersize=7 if ok else 9)
        drew = True
    for b in sorted(bounds):
        ax.axhline(b * 1000.0, color="#b00020", linestyle=":", linewidth=1.2)
        ax.annotate("p99 bound %g ms" % b, (0.01, b * 1000.0), xycoords=("axes fraction", "data"),
                    xytext=(0, 3), textcoords="offset points", fontsize=8, color="#b00020")
    if drew:
        _ramp_axes(ax, bounds)
    else:
        no_data(ax, "no find-max steps recorded")
    ax.set_xlabel("offered events per second (log scale)")
    ax.set_ylabel("p99 corrected latency (µs, log scale)")
    ax.set_title("Ramp: p99 latency per step", fontsize=11)


def chart_max_rate(groups):
    """find-max groups: max sustainable events/s per transport, and p99 per step of each ramp."""
    fgroups = {}
    for g, members in groups.items():
        lst = [s for s in members if find_max_of(s) is not None]
        if lst:
            fgroups[g] = lst
    if not fgroups:
        return None
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(max(13, 6.5 + 2.4 * len(fgroups)), 5.4), layout="constrained",
                                 gridspec_kw={"width_ratios": [max(1.0, 0.6 * len(fgroups)), 1.3]})
    members = [s for lst in fgroups.values() for s in lst]
    _rate_panel(a1, fgroups, members)
    _ramp_panel(a2, members, len(fgroups) > 1)
    fig.suptitle("Max sustainable rate per transport (find-max)", fontsize=12)
    return fig
