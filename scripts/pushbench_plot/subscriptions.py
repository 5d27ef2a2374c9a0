"""Charts by number of subscriptions: scaling (stream/broadcast) and HTTP/1.1 vs HTTP/2 multiplexing."""

from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from .axes import (legend_row, line_handles, line_panel, no_data, panels_with_legend_row, si_axis, split_lines,
                   subscriptions_axis)
from .fmt import byte_unit, fmt_int, fmt_us_tick
from .labels import mux_label
from .style import OTHER_COLOR, SIGNATURE_MARKERS, transport_shade

MUX_KINDS = ("stream", "broadcast", "chat")
SCALING_KINDS = ("stream", "broadcast")


def _si_panel(ax, lines, style, y_fn, title, ylabel, empty):
    """A line panel over subscriptions with SI-formatted y ticks ("no data" text `empty` when nothing drew)."""
    ys = line_panel(ax, lines, y_fn, style)
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel)
    si_axis(ax)
    if not ys:
        no_data(ax, empty)


def _cpu_panel(ax, lines, style):
    _si_panel(ax, lines, style, lambda s: s.server_cpu_ns, "Server CPU per event", "server CPU time per event (ns)",
              "no server CPU measurements")


def chart_scaling(scenarios):
    """Throughput and server CPU per event vs subscriptions, one line per transport variant and workload."""
    items = [s for s in scenarios if s.kind in SCALING_KINDS and s.subscriptions is not None
             and s.section("browser") is None]
    if len({s.subscriptions for s in items}) < 2:
        return None
    lines = split_lines(items, lambda s: s.series, lambda s: s.series)
    sigs = []
    for _k, _l, sig, _p in lines:
        if sig is not None and sig not in sigs:
            sigs.append(sig)
    color_of = {s.series: s.color for s in items}

    def style(k, sig):
        marker = SIGNATURE_MARKERS[sigs.index(sig) % len(SIGNATURE_MARKERS)] if sig else "o"
        return color_of.get(k, OTHER_COLOR), "-", marker

    fig, ((a1, a2),), lax = panels_with_legend_row(1, 2, 6.5, 4.8, len(lines), 3)
    _si_panel(a1, lines, style, lambda s: s.events_per_s, "Throughput", "received events per second",
              "no throughput data")
    _cpu_panel(a2, lines, style)
    for a in (a1, a2):
        subscriptions_axis(a, [s.subscriptions for s in items])
    handles = line_handles(lines, style)
    if handles:
        legend_row(lax, handles)
    fig.suptitle("Throughput and server CPU per event vs subscriptions (stream and broadcast workloads)",
                 fontsize=12)
    return fig


def _mux_style(lines):
    """style(key, sig): a shade of the transport colour per variant apart from the HTTP version (so h1 and h2 of
    the same variant share a colour and differ by line style); marker: cleartext o / TLS s."""
    variants = {}
    for k, _label, sig, _pts in lines:
        lst = variants.setdefault(k[0], [])
        if (k[2:], sig) not in lst:
            lst.append((k[2:], sig))

    def style(k, sig):
        lst = variants[k[0]]
        color = transport_shade(k[0], lst.index((k[2:], sig)), len(lst))
        return color, "-" if k[1] == "1.1" else "--", "s" if k[2] else "o"
    return style


def _mux_rss_panel(ax, items, lines, style):
    unit, div = byte_unit(max([s.rss_per_sub for s in items if s.rss_per_sub is not None], default=0))
    ys = line_panel(ax, lines, lambda s: None if s.rss_per_sub is None else s.rss_per_sub / div, style, log_y=False)
    ax.set_title("Server memory per subscription", fontsize=11)
    ax.set_ylabel("server RSS growth per subscription (%s)" % unit)
    if ys and min(ys) < 0:
        ax.axhline(0, color="black", linewidth=0.8)
    if not ys:
        no_data(ax, "no server RSS measurements")


def _mux_tcp_panel(ax, lines, style):
    ys = line_panel(ax, lines, lambda s: s.tcp_connections, style, log_y=True)
    ax.set_title("TCP connections used", fontsize=11)
    ax.set_ylabel("TCP connections established (log scale)")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_int(v) if v >= 1 else "%g" % v))
    if not ys:
        no_data(ax, "no TCP connection counts (older report)")


def _mux_latency_panel(ax, lines, style):
    ys = line_panel(ax, lines, lambda s: s.latency("corrected", "p99"), style, log_y=True)
    ax.set_title("p99 latency (corrected)", fontsize=11)
    ax.set_ylabel("p99 corrected latency (µs, log scale)")
    if ys:
        ax.yaxis.set_major_formatter(FuncFormatter(fmt_us_tick))
    else:
        no_data(ax, "no latency data")


def chart_multiplexing(scenarios, multi_report):
    """HTTP/1.1 (one connection per subscription) vs HTTP/2 (streams on shared connections), by subscriptions."""
    # Compressed runs and the browser connection-cap model measure something else: left out here.
    items = [s for s in scenarios if s.http_version and s.kind in MUX_KINDS and s.subscriptions is not None
             and s.compression in (None, "none") and s.section("browser") is None]
    if len({s.subscriptions for s in items}) < 2 or len({s.http_version for s in items}) < 2:
        return None

    def key(s):
        return (s.transport, s.http_version, bool(s.tls), s.report_tag if multi_report else None)

    lines = split_lines(items, key, lambda s: mux_label(s, multi_report))
    style = _mux_style(lines)
    fig, axes, lax = panels_with_legend_row(2, 2, 6.5, 4.3, len(lines) + 3, 3)
    (a_cpu, a_rss), (a_tcp, a_lat) = axes
    _cpu_panel(a_cpu, lines, style)
    _mux_rss_panel(a_rss, items, lines, style)
    _mux_tcp_panel(a_tcp, lines, style)
    _mux_latency_panel(a_lat, lines, style)
    for a in (a_cpu, a_rss, a_tcp, a_lat):
        subscriptions_axis(a, [s.subscriptions for s in items])
    handles = line_handles(lines, style)
    handles += [Line2D([], [], color="black", linestyle="-", label="HTTP/1.1: one connection per subscription"),
                Line2D([], [], color="black", linestyle="--", label="HTTP/2: streams share connections"),
                Line2D([], [], color="black", linestyle="", marker="s", label="TLS")]
    legend_row(lax, handles)
    fig.suptitle("HTTP/1.1 vs HTTP/2 multiplexing, by number of subscriptions (uncompressed runs)", fontsize=12)
    return fig
