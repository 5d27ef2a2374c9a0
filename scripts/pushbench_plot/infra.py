"""What runs beside our server costs too: the reverse proxy or broker in the path, and the browser as client."""

from .axes import legend_row, line_handles, line_panel, metric_bars, no_data, panels_with_legend_row, split_lines, \
    subscriptions_axis
from .fmt import dig, fmt_int, num
from .style import OTHER_COLOR, plt

BROWSER_PANELS = [("renderer", "cpu_ns_per_event", 1e3, "Renderer CPU per event", "µs above the idle page"),
                  ("network", "cpu_ns_per_event", 1e3, "Network service CPU per event", "µs above the idle page"),
                  ("renderer", "rss_bytes_per_subscription", 1024, "Renderer RSS per subscription", "KiB"),
                  ("network", "rss_bytes_per_subscription", 1024, "Network service RSS per subscription", "KiB")]


def chart_browser_cost(scenarios):
    """Headless Chromium's own cost (`client: chromium` runs, stream workload without compression): renderer and
    network-service CPU per event and RSS per subscription vs subscriptions, one line per API and protocol."""
    items = [s for s in scenarios if s.client == "chromium" and s.kind == "stream"
             and s.compression in (None, "none") and s.subscriptions is not None
             and s.section("chromium_cost") is not None]
    if len({s.subscriptions for s in items}) < 2:
        return None
    lines = split_lines(items, lambda s: s.series, lambda s: s.series)
    color_of = {s.series: s.color for s in items}

    def style(k, _sig):
        return color_of.get(k, OTHER_COLOR), "-", "o"

    fig, axes, lax = panels_with_legend_row(2, 2, 6.0, 4.0, len(lines), 3)
    for ax, (proc, key, scale, title, unit) in zip([a for row in axes for a in row], BROWSER_PANELS):
        def value(s, proc=proc, key=key, scale=scale):
            v = num(dig(s.section("chromium_cost"), proc, key))
            return v / scale if v is not None else None
        if not line_panel(ax, lines, value, style, log_y=False):
            no_data(ax, "no measurements")
        ax.set_title(title, fontsize=11)
        ax.set_ylabel(unit)
        subscriptions_axis(ax, [s.subscriptions for s in items])
    handles = line_handles(lines, style)
    if handles:
        legend_row(lax, handles)
    fig.suptitle("Headless Chromium's own cost: EventSource vs WebSocket, HTTP/1.1 vs HTTP/2", fontsize=12)
    return fig


def _infra(s):
    """The proxy section, else the broker section, else None."""
    proxy = s.section("proxy")
    return proxy if proxy is not None else s.section("broker")


def _infra_values(s, figure, scale):
    """[our server's, the proxy's or broker's] figure (cpu_ns_per_event or rss_bytes_per_connection), scaled."""
    ours = None
    if s.section("broker") is None:
        ours = s.server_cpu_ns if figure == "cpu_ns_per_event" else s.rss_per_conn
    mid = _infra(s)
    front = num(mid.get(figure)) if mid is not None else None
    return [v / scale if v is not None else None for v in (ours, front)]


def _infra_label(s):
    mid = _infra(s)
    via = "via %s" % mid.get("name") if mid is not None else "direct"
    size = s.payload_bytes
    return "\n".join([s.label, "%s subs" % fmt_int(s.subscriptions), "%s B" % fmt_int(size) if size is not None else "",
                      via])


def chart_infra_cost(scenarios):
    """Who pays in front of the subscribers: the backend server's and the reverse proxy's (or the
    broker's) CPU per event and RSS per connection, for every group that has a proxy or broker run
    (`proxy` / `broker` sections), beside the same group's runs straight to our server."""
    groups = {s.group for s in scenarios if _infra(s) is not None}
    items = [s for s in scenarios if s.group in groups]
    if not items:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(max(8.0, 1.3 * len(items) + 3), 4.6))
    metrics = ["our server", "proxy / broker"]
    for ax, (figure, scale, title, unit) in zip(axes, [
            ("cpu_ns_per_event", 1e3, "CPU per event received", "µs"),
            ("rss_bytes_per_connection", 1024, "RSS per connection", "KiB")]):
        bars = [(_infra_label(s), s.color, _infra_values(s, figure, scale)) for s in items]
        if not metric_bars(ax, bars, metrics, log=True):
            no_data(ax, "no measurements")
        ax.set_title(title, fontsize=11)
        ax.set_ylabel(unit)
    fig.suptitle("Infrastructure in the path: backend vs reverse proxy or broker", fontsize=12)
    fig.tight_layout()
    return fig
