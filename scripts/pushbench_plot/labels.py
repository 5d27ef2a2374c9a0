"""Words for scenarios in chart titles, legends and tick labels."""

from .fmt import fmt_int, fmt_si, wrap
from .style import COMPRESSION_SHORT, HTTP_NAME, TRANSPORT_NAME


def workload_text(s):
    """The load a scenario ran, in one line: kind, connections × streams × rate, payload, duration."""
    parts = []
    if s.kind:
        parts.append(s.kind)
    if s.connections is not None:
        t = "%s conn" % fmt_int(s.connections)
        if s.streams_per_connection is not None and s.streams_per_connection != 1:
            t += " × %s streams" % fmt_int(s.streams_per_connection)
        if s.rate_per_stream is not None:
            t += " × %s ev/s" % fmt_si(s.rate_per_stream)
        parts.append(t)
    if s.payload_bytes is not None:
        parts.append(("%s B %s" % (fmt_int(s.payload_bytes), s.payload_kind or "")).strip())
    if s.duration_s is not None:
        parts.append("%g s" % s.duration_s)
    return ", ".join(parts)


def mux_label(s, multi_report):
    """Transport, HTTP version, TLS and compression of a scenario, e.g. "SSE HTTP/2 TLS"."""
    parts = [TRANSPORT_NAME.get(s.transport, s.transport), HTTP_NAME.get(s.http_version, "?")]
    if s.tls:
        parts.append("TLS")
    if s.compression and s.compression != "none":
        parts.append(COMPRESSION_SHORT.get(s.compression, s.compression))
    label = " ".join(parts)
    if multi_report:
        label += " [" + s.report_tag + "]"
    return label


def label_width(n_items):
    """Characters per tick-label line so that n_items labels fit side by side in a workloads panel."""
    return max(12, min(26, 84 // max(n_items, 1) - 3))


def item_label(parts, n_items):
    """A tick label of several wrapped lines (empty parts left out) for one of n_items bars."""
    width = label_width(n_items)
    return "\n".join(wrap(p, width) for p in parts if p)
