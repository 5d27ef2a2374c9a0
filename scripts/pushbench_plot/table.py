"""The table of one group on the page: rows = metrics, columns = the group's scenarios."""

from .find_max import find_max_lower_bound, find_max_of
from .fmt import dig, esc, fmt_bytes, fmt_int, fmt_us, num
from .labels import workload_text
from .style import HTTP_NAME


def _plain(getter, fmt):
    def cell(s):
        v = getter(s)
        return v, fmt(v)
    return cell


def _latency(kind, key):
    return _plain(lambda s: s.latency(kind, key), fmt_us)


def _http(s):
    if s.http_version:
        return None, HTTP_NAME[s.http_version]
    return None, "none (raw TCP)" if s.transport == "raw" else "n/a"


def _lost(s):
    v, exp = s.events_lost, s.events_expected
    if v is None:
        return None, "n/a"
    txt = fmt_int(v)
    if exp is None:
        return None, txt + " (expected count unknown)"
    if exp > 0:
        txt += " (%.3g%%)" % (100.0 * v / exp)
    return v, txt


def _section(key, path, fmt, text=False):
    """Cell from the scenario's optional `key` section: (value or None, text)."""
    def cell(s):
        sec = s.section(key)
        v = dig(sec, *path) if sec is not None else None
        if text:
            return None, "n/a" if v is None or v == "" else str(v)
        v = num(v)
        return v, fmt(v) if v is not None else "n/a"
    return cell


def _find_max(s):
    fm = find_max_of(s)
    if fm is None:
        return None, "n/a"
    v = num(fm.get("max_sustainable_events_per_s"))
    if v is None:
        return None, "none sustainable"
    return v, ("≥ " if find_max_lower_bound(fm) else "") + fmt_int(v)


def _slow_count(s):
    sc = s.section("slow_consumer")
    v = num(dig(sc, "slow_connections")) if sc is not None else None
    if v is None:
        return None, "n/a"
    unit = sc.get("unit")
    return v, fmt_int(v) + (" streams" if unit == "stream" else " connections" if unit == "connection" else "")


# (title, cell(s) -> (value or None, text), which value is best: min, max or None)
ROWS = [
    ("HTTP version", _http, None),
    ("TLS", lambda s: (None, {True: "yes", False: "no"}.get(s.tls, "n/a")), None),
    ("compression", lambda s: (None, s.compression or "n/a"), None),
    ("subscriptions", _plain(lambda s: s.subscriptions, fmt_int), None),
    ("TCP connections", _plain(lambda s: s.tcp_connections, fmt_int), None),
    ("events/s", _plain(lambda s: s.events_per_s, fmt_int), max),
    ("p50 corrected", _latency("corrected", "p50"), min),
    ("p99 corrected", _latency("corrected", "p99"), min),
    ("p99.9 corrected", _latency("corrected", "p999"), min),
    ("p50 uncorrected", _latency("uncorrected", "p50"), min),
    ("p99 uncorrected", _latency("uncorrected", "p99"), min),
    ("p99.9 uncorrected", _latency("uncorrected", "p999"), min),
    ("wire bytes/event", _plain(lambda s: s.bytes_per_event, lambda v: "n/a" if v is None else "%.1f B" % v), min),
    ("server CPU ns/event", _plain(lambda s: s.server_cpu_ns, fmt_int), min),
    ("server RSS/subscription", _plain(lambda s: s.rss_per_sub, fmt_bytes), min),
    ("server RSS/connection", _plain(lambda s: s.rss_per_conn, fmt_bytes), min),
    ("lost events", _lost, min),
]

# rows for the workload-specific sections, shown when a member of the group has the section
SECTION_ROWS = [
    ("find_max", [("find-max: max sustainable events/s", _find_max, max),
                  ("find-max: p99 bound", _section("find_max", ["p99_bound_ms"], lambda v: "%g ms" % v), None),
                  ("find-max: stopped because", _section("find_max", ["stopped_because"], str, text=True), None)]),
    ("resume", [("resume: reconnects", _section("resume", ["reconnects"], fmt_int), None),
                ("resume: recovery p50", _section("resume", ["recovery_us", "p50"], fmt_us), min),
                ("resume: recovery p99", _section("resume", ["recovery_us", "p99"], fmt_us), min)]),
    ("chat", [("chat: message path", _section("chat", ["message_path"], str, text=True), None),
              ("chat: messages sent", _section("chat", ["messages_sent"], fmt_int), None),
              ("chat: POST connections", _section("chat", ["post_connections"], fmt_int), None)]),
    ("browser", [("browser: connections per origin", _section("browser", ["max_connections_per_origin"], fmt_int),
                  None),
                 ("browser: subscriptions waited", _section("browser", ["subscriptions_waited"], fmt_int), min),
                 ("browser: subscriptions starved", _section("browser", ["subscriptions_starved"], fmt_int), min),
                 ("browser: wait p99", _section("browser", ["wait_us", "p99"], fmt_us), min)]),
    ("slow_consumer", [("slow clients", _slow_count, None),
                       ("slow clients: p99 latency", _section("slow_consumer", ["slow_latency_us", "p99"], fmt_us),
                        min),
                       ("slow clients: closed by server",
                        _section("slow_consumer", ["slow_connections_closed_by_server"], fmt_int), None)]),
]


def _row(title, cell, best, members):
    cells = [cell(s) for s in members]
    nums = [v for v, _t in cells if v is not None]
    bestv = best(nums) if best and len(nums) >= 2 and len(set(nums)) > 1 else None
    tds = []
    for v, t in cells:
        cls = "na" if v is None else ("best" if bestv is not None and v == bestv else "")
        tds.append('<td class="%s">%s</td>' % (cls, esc(t)))
    return '<tr><td class="metric">%s</td>%s</tr>' % (esc(title), "".join(tds))


def _notes(members):
    """Errors, load generator saturation and warnings of the group's scenarios, as list items."""
    notes = []
    for s in members:
        if s.errors:
            notes.append('<li class="err">%s: errors %s</li>' % (
                esc(s.label), esc(", ".join("%s=%s" % (k, v) for k, v in s.errors.items()))))
        if s.saturated:
            notes.append('<li class="err">%s: load generator saturated (max thread busy %s) – results are '
                         'bounded by the client</li>' % (esc(s.label), esc(s.max_thread_busy)))
        for wmsg in s.warnings:
            notes.append('<li class="warn">%s: %s</li>' % (esc(s.label), esc(wmsg)))
    return notes


def group_table(members):
    """The group's table (and its notes, if any) as HTML."""
    rows = list(ROWS)
    for key, extra in SECTION_ROWS:
        if any(s.section(key) is not None for s in members):
            rows += extra
    head = "".join('<th title="%s">%s<span class="sub">%s</span></th>' % (esc(s.url), esc(s.label), esc(s.name))
                   for s in members)
    body = "".join(_row(title, cell, best, members) for title, cell, best in rows)
    out = ['<table><tr><th class="metric">metric</th>%s</tr>%s</table>' % (head, body)]
    notes = _notes(members)
    if notes:
        out.append("<ul>%s</ul>" % "".join(notes))
    return out


def group_heading(group, members):
    return '<h3>Group “%s”</h3><p>%s</p>' % (esc(group), esc(workload_text(members[0])))
