#!/usr/bin/python3
"""Unit tests of scripts/pushbench_plot/model.py: figures read from committed reports, and the schema_version
fallbacks for reports that predate workload.subscriptions and server.rss_bytes_per_stream.

tests/data/sample_report.json (schema_version 1) predates both fields; tests/data/plot_features_report.json
(schema_version 1) has them; results/browser.json leaves wire.bytes_per_event null (Chromium's wire bytes are
not measured)."""

import copy
import json
import os
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from pushbench_plot import model  # noqa: E402

OLD = os.path.join(ROOT, "tests", "data", "sample_report.json")
NEW = os.path.join(ROOT, "tests", "data", "plot_features_report.json")
BROWSER = os.path.join(ROOT, "results", "browser.json")


def raw(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def scenarios(data, path="report.json"):
    """name -> Scenario of a report given as JSON data."""
    return {s.name: s for s in model.Report(path, "r", 0, data).scenarios}


def by_name(path):
    return {s.name: s for s in model.load([path]).scenarios}


class OldReport(unittest.TestCase):
    """sample_report.json: no workload.subscriptions, no server.rss_bytes_per_stream."""

    def setUp(self):
        self.s = by_name(OLD)

    def test_schema_version(self):
        self.assertEqual(model.load([OLD]).reports[0].schema_version, 1)

    def test_subscriptions_from_connections(self):
        self.assertEqual(self.s["stream-1k/sse"].subscriptions, 100.0)  # 100 connections × 1 stream
        self.assertEqual(self.s["broadcast-256/ws"].subscriptions, 1000.0)  # 1000 × 1

    def test_rss_per_stream_from_connection(self):
        self.assertEqual(self.s["stream-1k/sse"].rss_per_sub, 9420.0)  # rss_bytes_per_connection 9420 / 1
        self.assertEqual(self.s["broadcast-256/raw"].rss_per_sub, 4180.0)
        self.assertIsNone(self.s["broadcast-256/sse"].rss_per_sub)  # foreign server: per connection is null too

    def test_no_fallback_for_other_fields(self):
        self.assertIsNone(self.s["stream-1k/sse"].tcp_connections)
        self.assertEqual(self.s["stream-1k/sse"].bytes_per_event, 1057.46)
        self.assertEqual(self.s["stream-1k/sse"].latency("corrected", "p99"), 254.7)

    def test_other_schema_version_gets_no_fallback(self):
        data = raw(OLD)
        data["schema_version"] = 2
        s = scenarios(data)["stream-1k/sse"]
        self.assertIsNone(s.subscriptions)
        self.assertIsNone(s.rss_per_sub)
        self.assertEqual(s.rss_per_conn, 9420.0)

    def test_missing_schema_version_reads_as_1(self):
        data = raw(OLD)
        del data["schema_version"]
        self.assertEqual(scenarios(data)["stream-1k/sse"].subscriptions, 100.0)


class NewReport(unittest.TestCase):
    """plot_features_report.json: both fields written by the tool."""

    def setUp(self):
        self.data = raw(NEW)
        self.s = scenarios(self.data, NEW)

    def test_fields_read_as_written(self):
        h2 = self.s["mux-1x10-h2-sse"]  # 1 connection × 10 streams over HTTP/2
        self.assertEqual(h2.subscriptions, 10.0)
        self.assertEqual(h2.tcp_connections, 1.0)
        self.assertEqual(h2.rss_per_conn, 753664.0)
        self.assertEqual(h2.rss_per_sub, 75366.4)
        self.assertEqual(h2.http_version, "2")

    def test_fallback_agrees_with_the_written_field(self):
        data = copy.deepcopy(self.data)
        for sd in data["scenarios"]:
            del sd["workload"]["subscriptions"]
            del sd["server"]["rss_bytes_per_stream"]
        derived = scenarios(data)
        for name in ("mux-1x10-h2-sse", "mux-1x40-h2-ws", "mux-10x1-h1-sse"):
            self.assertEqual(derived[name].subscriptions, self.s[name].subscriptions, name)
            self.assertAlmostEqual(derived[name].rss_per_sub, self.s[name].rss_per_sub, places=6, msg=name)
        self.assertAlmostEqual(derived["mux-1x40-h2-ws"].rss_per_sub, 802816.0 / 40)

    def test_null_field_stays_null(self):
        data = copy.deepcopy(self.data)
        for sd in data["scenarios"]:
            sd["server"]["rss_bytes_per_stream"] = None
        self.assertIsNone(scenarios(data)["mux-1x10-h2-sse"].rss_per_sub)


class BrowserReport(unittest.TestCase):
    def test_null_bytes_per_event_is_not_recomputed(self):
        s = by_name(BROWSER)["chromium-1-h1-chromium-sse"]
        self.assertIsNone(s.bytes_per_event)  # bytes_received 0 / 100 events would claim 0 B per event
        self.assertEqual(s.subscriptions, 1.0)
        self.assertEqual(s.client, "chromium")
        self.assertIsNone(s.rss_per_sub)


if __name__ == "__main__":
    unittest.main()
