"""The special workloads side by side: resume recovery, chat round trip, browser connection cap, slow consumers."""

from matplotlib.ticker import FuncFormatter

from .axes import metric_bars, no_data
from .fmt import dig, fmt_int, fmt_us, fmt_us_tick, num
from .labels import item_label, mux_label
from .style import HTTP_NAME, plt


def _resume_item(_s, sec):
    return ["%s reconnects" % fmt_int(num(sec.get("reconnects")))], \
        [num(dig(sec, "recovery_us", "p50")), num(dig(sec, "recovery_us", "p99"))]


def _chat_item(s, sec):
    path = sec.get("message_path")
    return ["via " + str(path) if path else ""], [s.latency("corrected", "p50"), s.latency("corrected", "p99")]


def _browser_item(s, sec):
    cap = num(sec.get("max_connections_per_origin"))
    hv = HTTP_NAME.get(s.http_version, "")
    return [("cap %s conn/origin %s" % (fmt_int(cap), hv)).strip()], \
        [num(sec.get("subscriptions")), num(sec.get("subscriptions_waited")), num(sec.get("subscriptions_starved"))]


def _slow_item(s, sec):
    # unit "stream": slow HTTP/2 streams sharing a connection with healthy ones (head-of-line)
    what = "streams" if sec.get("unit") == "stream" else "conns"
    extra = "%s slow %s, %s closed by server" % (fmt_int(num(sec.get("slow_connections"))), what,
                                                 fmt_int(num(sec.get("slow_connections_closed_by_server"))))
    return [extra], [s.latency("corrected", "p99"), num(dig(sec, "slow_latency_us", "p99"))]


# (section, item(s, section) -> (extra label lines, values), metric names, log, value format,
#  text without data, y label, title)
PANELS = [
    ("resume", _resume_item, ["recovery p50", "recovery p99"], True, fmt_us, "no recovery times measured",
     "disconnect → first event again (µs, log)", "Resume after disconnect: recovery time"),
    ("chat", _chat_item, ["round trip p50", "round trip p99"], True, fmt_us, "no round-trip latency measured",
     "send → echo received (µs, log)", "Chat: round trip by transport and message path"),
    ("browser", _browser_item, ["subscriptions", "waited for a connection", "starved (never connected)"], False,
     fmt_int, "no browser-model counts", "subscriptions", "Browser connection cap: waiting and starved subscriptions"),
    ("slow_consumer", _slow_item, ["healthy clients p99", "slow clients p99"], True, fmt_us, "no latency measured",
     "p99 latency (µs, log)", "Slow consumers: healthy vs slow clients (or HTTP/2 streams)"),
]


def _draw_panel(ax, panel, members, multi_report):
    key, item_fn, metrics, log, fmt, empty, ylabel, title = panel
    many_groups = len({s.group for s in members}) > 1
    items = []
    for s in members:
        extra, values = item_fn(s, s.section(key))
        first = mux_label(s, multi_report) if key == "chat" and s.http_version else s.label
        items.append((item_label([first, s.group if many_groups else ""] + extra, len(members)), s.color, values))
    if not metric_bars(ax, items, metrics, log=log, fmt=fmt):
        no_data(ax, empty)
    elif log:
        ax.yaxis.set_major_formatter(FuncFormatter(fmt_us_tick))
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10.5)


def chart_workloads(scenarios, multi_report):
    """One panel per special workload the reports ran (None when they ran none)."""
    panels = []
    for panel in PANELS:
        members = [s for s in scenarios if s.section(panel[0]) is not None]
        if members:
            panels.append((panel, members))
    if not panels:
        return None
    ncols = 2 if len(panels) > 1 else 1
    nrows = (len(panels) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(7.0 * ncols, 5.0 * nrows), layout="constrained", squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i < len(panels):
            _draw_panel(ax, panels[i][0], panels[i][1], multi_report)
        else:
            ax.set_visible(False)
    fig.suptitle("Workloads: resume, chat, browser connection cap, slow consumers", fontsize=12)
    return fig
