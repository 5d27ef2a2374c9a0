"""A pushbench report read into plain objects: Report, Scenario and Model (scenarios grouped, labelled, coloured).

Every figure is read as the report writes it; a null stays None (n/a). The only figures derived here are the
fallbacks of FALLBACKS (for reports that predate a field) and Scenario.offered_rate (no field carries it).

Fallbacks, keyed on schema_version. Every committed report is schema_version 1 (core/report.schema.json has
`"schema_version": {"const": 1}`); fields added to version 1 later are declared there without being required,
and reports written before them (tests/data/sample_report.json has neither) or by a command that does not
write them (`pushbench browser`: results/browser.json has no server.rss_bytes_per_stream) lack them. For such a
report, and only when the field is absent (not when it is null):
  workload.subscriptions       = workload.connections × workload.streams_per_connection
  server.rss_bytes_per_stream  = server.rss_bytes_per_connection / workload.streams_per_connection
A report without schema_version is read as version 1; a report of another version gets no fallback (whoever
bumps the version adds its entry to FALLBACKS). Fields version 1 requires (latency_us, wire.bytes_per_event,
workload.kind ...) have no fallback: a null there is the tool's "not measured" and is shown as n/a.
"""

import json
import os
import sys

from .fmt import dict_or_none, dig, num, text_or_none
from .histogram import Distribution
from .style import COMPRESSION_SHORT, TRANSPORT_NAME, transport_key, transport_shade

PROG = "plot.py"
LATENCY_KEYS = ("p50", "p90", "p99", "p999", "p9999")
SECTIONS = ("find_max", "resume", "chat", "browser", "slow_consumer", "proxy", "broker")


class InputError(Exception):
    """A report that cannot be read or is not a pushbench report."""


def _absent(raw, section, key):
    return key not in (dict_or_none(raw.get(section)) or {})


def _subscriptions_v1(raw, s):
    """workload.subscriptions of a report before it: connections × streams per connection."""
    if not _absent(raw, "workload", "subscriptions") or s.connections is None or s.streams_per_connection is None:
        return None
    return s.connections * s.streams_per_connection


def _rss_per_stream_v1(raw, s):
    """server.rss_bytes_per_stream of a report before it: RSS per connection / streams per connection."""
    streams = s.streams_per_connection
    if not _absent(raw, "server", "rss_bytes_per_stream") or s.rss_per_conn is None or streams is None \
            or streams <= 0:
        return None
    return s.rss_per_conn / streams


# schema_version -> [(Scenario attribute, derive(raw scenario dict, Scenario) -> value or None)], applied in order
# to an attribute the report left None. Each derive returns None when the report has the field (null included).
FALLBACKS = {
    1: [("subscriptions", _subscriptions_v1), ("rss_per_sub", _rss_per_stream_v1)],
}


def fallbacks_for(schema_version):
    """The fallbacks of a report's schema_version (None, i.e. no version written, reads as version 1)."""
    if schema_version is None:
        schema_version = 1
    return FALLBACKS.get(schema_version, [])


class Scenario:
    """One scenario's figures as plain attributes (None: absent or null in the report).

    Units as in the report: latency_us µs, server_cpu_ns ns per event, rss_* and bytes_per_event bytes,
    events_per_s and rate_per_stream per second. sections holds the optional sections as their JSON objects."""

    def __init__(self, data, report_index, report_tag, schema_version):
        self.report_index = report_index
        self.report_tag = report_tag
        self.name = str(data.get("name") or "(unnamed)")
        self.group = str(data.get("group") or self.name)
        t = data.get("transport")
        self.transport = t if isinstance(t, str) and t else "?"
        self.url = data.get("url") or ""
        self.client = data.get("client")
        self.series = None  # transport variant label shared across groups (set by Model)
        self.label = None  # unique label within the group (set by Model)
        self.color = None  # matplotlib colour of the series (set by Model)
        self._read_protocol(data)
        self._read_workload(dict_or_none(data.get("workload")) or {})
        self._read_figures(data)
        self.sections = {k: dict_or_none(data.get(k)) for k in SECTIONS}
        self.sections["chromium_cost"] = dict_or_none(dig(data, "chromium", "cost"))
        for attr, derive in fallbacks_for(schema_version):
            if getattr(self, attr) is None:
                setattr(self, attr, derive(data, self))

    def _read_protocol(self, data):
        v = data.get("http_version")
        self.http_version = v if v in ("1.1", "2") else None  # None: raw TCP, or not said
        v = data.get("tls")
        self.tls = v if isinstance(v, bool) else None
        alg = dig(data, "compression", "algorithm")
        self.compression = alg if isinstance(alg, str) and alg else None

    def _read_workload(self, w):
        k = w.get("kind")
        self.kind = k if isinstance(k, str) and k else None
        self.connections = num(w.get("connections"))
        self.streams_per_connection = num(w.get("streams_per_connection"))
        self.rate_per_stream = num(w.get("rate_per_stream"))
        self.payload_bytes = num(w.get("payload_bytes"))
        self.payload_kind = text_or_none(w.get("payload_kind"))
        self.duration_s = num(w.get("duration_s"))
        self.topic = text_or_none(w.get("topic"))
        self.subscriptions = num(w.get("subscriptions"))
        self.tcp_connections = num(w.get("tcp_connections"))

    def _read_figures(self, data):
        self.events_per_s = num(dig(data, "throughput", "events_per_s"))
        self.events_lost = num(dig(data, "events", "lost"))
        self.events_expected = num(dig(data, "events", "expected"))
        self.bytes_per_event = num(dig(data, "wire", "bytes_per_event"))
        self.server_cpu_ns = num(dig(data, "server", "cpu_ns_per_event"))
        self.rss_per_conn = num(dig(data, "server", "rss_bytes_per_connection"))
        self.rss_per_sub = num(dig(data, "server", "rss_bytes_per_stream"))
        self.latency_us = {kind: {k: num(dig(data, "latency_us", kind, k)) for k in LATENCY_KEYS}
                           for kind in ("corrected", "uncorrected")}
        self.dist = {
            "corrected": Distribution(dig(data, "histograms", "latency_corrected")),
            "uncorrected": Distribution(dig(data, "histograms", "latency_uncorrected")),
        }
        self.saturated = dig(data, "loadgen", "saturated") is True
        self.max_thread_busy = dig(data, "loadgen", "max_thread_busy")
        errs = dict_or_none(data.get("errors")) or {}
        self.errors = {k: v for k, v in errs.items() if num(v)}  # error kinds that happened
        warns = data.get("warnings")
        self.warnings = warns if isinstance(warns, list) else []

    def latency(self, kind, key):
        """The report's latency summary value (µs) for kind corrected/uncorrected and key p50..p9999."""
        return self.latency_us[kind].get(key)

    @property
    def offered_rate(self):
        """Events/s asked for: connections × streams per connection × rate per stream (no field carries it)."""
        c, s, r = self.connections, self.streams_per_connection, self.rate_per_stream
        if None in (c, s, r) or r <= 0:
            return None
        return c * s * r

    def section(self, key):
        """An optional section (find_max, resume, chat, browser, slow_consumer, proxy, broker, chromium_cost)."""
        return self.sections.get(key)

    def signature(self):
        """What the load looked like apart from how many subscriptions: (kind, rate per stream, payload bytes)."""
        return (self.kind or "?", self.rate_per_stream, self.payload_bytes)

    def variant(self, multi_report):
        """Transport variant label: transport (HTTP/2, TLS, compression) [report tag with several reports]."""
        quals = []
        if self.http_version == "2":
            quals.append("HTTP/2")
        if self.tls is True:
            quals.append("TLS")
        if self.compression not in (None, "none"):
            quals.append(COMPRESSION_SHORT.get(self.compression, self.compression))
        label = TRANSPORT_NAME.get(self.transport, self.transport) + (" (" + ", ".join(quals) + ")" if quals else "")
        if multi_report:
            label += " [" + self.report_tag + "]"
        return label


class Report:
    """One report file: where it came from, what ran it, its verdicts and its scenarios."""

    def __init__(self, path, tag, index, data):
        self.path = path
        self.tag = tag
        v = data.get("schema_version")
        self.schema_version = v if isinstance(v, int) and not isinstance(v, bool) else None
        self.suite = data.get("suite")
        self.tool = dict_or_none(data.get("tool")) or {}
        self.environment = dict_or_none(data.get("environment")) or {}
        self.started_at = data.get("started_at", "?")
        self.finished_at = data.get("finished_at", "?")
        self.command = data.get("command", "")
        verdicts = data.get("verdicts") if isinstance(data.get("verdicts"), list) else []
        self.verdicts = {v["group"]: v for v in verdicts if isinstance(v, dict) and isinstance(v.get("group"), str)}
        self.scenarios = []
        for sd in data["scenarios"]:
            if isinstance(sd, dict):
                self.scenarios.append(Scenario(sd, index, tag, self.schema_version))
            else:
                print("%s: warning: skipping a scenario that is not a JSON object in %s" % (PROG, tag),
                      file=sys.stderr)


def read_json(path):
    """The report file's JSON object; InputError when unreadable or not a report."""
    try:
        with open(path, "r", encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise InputError("cannot read '%s': no such file" % path)
    except IsADirectoryError:
        raise InputError("cannot read '%s': is a directory" % path)
    except OSError as e:
        raise InputError("cannot read '%s': %s" % (path, e.strerror or e))
    except UnicodeDecodeError:
        raise InputError("'%s' is not UTF-8 text" % path)
    except json.JSONDecodeError as e:
        raise InputError("'%s' is not valid JSON: %s at line %d column %d" % (path, e.msg, e.lineno, e.colno))
    if not isinstance(data, dict) or not isinstance(data.get("scenarios"), list):
        raise InputError("'%s' is not a pushbench report (no 'scenarios' list)" % path)
    return data


def report_tags(paths):
    """Short names of the reports (file stems, numbered where two share one)."""
    stems = [os.path.splitext(os.path.basename(p))[0] or p for p in paths]
    return [s if stems.count(s) == 1 else "%s#%d" % (s, i + 1) for i, s in enumerate(stems)]


class Model:
    """Every report's scenarios, grouped by `group` in first-appearance order, labelled and coloured."""

    def __init__(self, reports):
        self.reports = reports
        self.multi = len(reports) > 1
        self.scenarios = [s for r in reports for s in r.scenarios]
        self.groups = {}
        for s in self.scenarios:
            s.series = s.variant(self.multi)
            self.groups.setdefault(s.group, []).append(s)
        # global series order: by transport, then first appearance
        self.series = []
        for s in sorted(self.scenarios, key=lambda s: transport_key(s.transport)):
            if s.series not in self.series:
                self.series.append(s.series)
        self._colour_and_label()

    def _colour_and_label(self):
        # one colour per series; shades of the transport colour when a transport has several variants
        by_transport = {}
        for s in self.scenarios:
            lst = by_transport.setdefault(s.transport, [])
            if s.series not in lst:
                lst.append(s.series)
        color_of = {}
        for t, labels in by_transport.items():
            for i, lab in enumerate(labels):
                color_of[lab] = transport_shade(t, i, len(labels))
        for members in self.groups.values():
            members.sort(key=lambda s: (self.series.index(s.series), s.report_index))
            for s in members:
                s.color = color_of[s.series]
                dup = sum(1 for o in members if o.series == s.series) > 1
                s.label = s.series + (" – " + s.name if dup else "")

    def verdicts(self):
        """group -> the report's verdict; none with several reports (a group then mixes them)."""
        return self.reports[0].verdicts if len(self.reports) == 1 else {}


def load(paths):
    """The Model of the report files at `paths`; InputError on the first that cannot be read."""
    tags = report_tags(paths)
    data = [read_json(p) for p in paths]
    return Model([Report(p, t, i, d) for i, (p, t, d) in enumerate(zip(paths, tags, data))])
