#!/usr/bin/python3
"""Check the output of scripts/plot.py for one report.

Usage: check_plot_output.py [--plot PLOT_PY] [--format png,svg] REPORT OUTDIR

With --plot, first removes earlier chart/HTML files from OUTDIR and runs
`PLOT_PY REPORT --out OUTDIR --format ...`, which must exit 0 and list the files it wrote.
Then checks that every expected file exists, is non-empty and well-formed:
  latency_percentiles_<group>.<fmt> per scenario group, latency_summary.<fmt>, throughput.<fmt>,
  wire_overhead.<fmt>, server_cost.<fmt>, and index.html embedding every chart and naming every group.
Exit 0 if all is well, 1 on any failed check (each printed), 2 on bad usage or unreadable report.
"""

import argparse
import glob
import html
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

SUMMARY_STEMS = ["latency_summary", "throughput", "wire_overhead", "server_cost"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def slug(text):
    s = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return s or "group"


def expected_stems(report):
    stems, groups = [], []
    for s in report.get("scenarios", []):
        if not isinstance(s, dict):
            continue
        g = str(s.get("group") or s.get("name") or "(unnamed)")
        if g not in groups:
            groups.append(g)
    for g in groups:
        stem = base = "latency_percentiles_" + slug(g)
        i = 2
        while stem in stems:
            stem = "%s-%d" % (base, i)
            i += 1
        stems.append(stem)
    return groups, stems + SUMMARY_STEMS


def check_png(path, problems):
    with open(path, "rb") as f:
        head = f.read(8)
    if head != PNG_MAGIC:
        problems.append("%s: not a PNG file" % path)
        return
    try:
        import matplotlib.image as mpimg
        img = mpimg.imread(path)
        h, w = img.shape[:2]
        if w < 300 or h < 200:
            problems.append("%s: suspiciously small image %dx%d" % (path, w, h))
    except Exception as e:  # noqa: BLE001 - any decoding failure is a test failure
        problems.append("%s: PNG does not decode: %s" % (path, e))


def check_svg(path, problems):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        problems.append("%s: SVG is not well-formed XML: %s" % (path, e))
        return
    if not root.tag.endswith("svg"):
        problems.append("%s: root element is <%s>, not <svg>" % (path, root.tag))


def main(argv=None):
    ap = argparse.ArgumentParser(description="Check the files written by scripts/plot.py.")
    ap.add_argument("report", metavar="REPORT")
    ap.add_argument("outdir", metavar="OUTDIR")
    ap.add_argument("--plot", metavar="PLOT_PY", help="run this plot.py first (into OUTDIR)")
    ap.add_argument("--format", default="png", help="formats passed to / expected from plot.py (default: png)")
    args = ap.parse_args(argv)
    formats = [f.strip() for f in args.format.split(",") if f.strip()]

    try:
        with open(args.report, encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        print("check_plot_output.py: error: cannot load report '%s': %s" % (args.report, e), file=sys.stderr)
        return 2

    groups, stems = expected_stems(report)
    expected = [os.path.join(args.outdir, "%s.%s" % (s, fmt)) for s in stems for fmt in formats]
    expected.append(os.path.join(args.outdir, "index.html"))
    problems = []

    if args.plot:
        os.makedirs(args.outdir, exist_ok=True)
        for pattern in ("*.png", "*.svg", "*.pdf", "index.html"):  # stale output must not pass the check
            for old in glob.glob(os.path.join(args.outdir, pattern)):
                os.remove(old)
        cmd = [sys.executable, args.plot, args.report, "--out", args.outdir, "--format", ",".join(formats)]
        print("running: " + " ".join(cmd))
        proc = subprocess.run(cmd, capture_output=True, text=True)
        sys.stdout.write(proc.stdout)
        sys.stderr.write(proc.stderr)
        if proc.returncode != 0:
            print("FAIL: plot.py exited with status %d" % proc.returncode)
            return 1
        listed = {os.path.normpath(line.strip()) for line in proc.stdout.splitlines() if line.strip()}
        missing_from_list = [p for p in expected if os.path.normpath(p) not in listed]
        if missing_from_list:
            problems.append("plot.py did not list: " + ", ".join(missing_from_list))

    for path in expected:
        if not os.path.isfile(path):
            problems.append("%s: missing" % path)
            continue
        if os.path.getsize(path) == 0:
            problems.append("%s: empty" % path)
            continue
        if path.endswith(".png"):
            check_png(path, problems)
        elif path.endswith(".svg"):
            check_svg(path, problems)

    index = os.path.join(args.outdir, "index.html")
    if os.path.isfile(index) and os.path.getsize(index) > 0:
        with open(index, encoding="utf-8") as f:
            page = f.read()
        if "<html" not in page or "</html>" not in page:
            problems.append("%s: not a complete HTML document" % index)
        # Each group the report judged opens with its verdict (drawn, not computed, by plot.py).
        verdicts = report.get("verdicts") if isinstance(report.get("verdicts"), list) else []
        verdicts = [v for v in verdicts if isinstance(v, dict) and v.get("figures")]
        shown = page.count('<div class="verdict">')
        if shown != len(verdicts):
            problems.append("%s: %d verdicts shown, the report has %d" % (index, shown, len(verdicts)))
        for v in verdicts:
            for f in v.get("figures", []):
                if html.escape(str(f.get("label")), quote=True) not in page:
                    problems.append("%s: verdict figure '%s' of group '%s' missing" % (index, f.get("label"), v.get("group")))
        embedded = page.count("data:image/png;base64,") + len(re.findall(r"<svg[\s>]", page))
        if embedded < len(stems):
            problems.append("%s: %d embedded charts, expected %d" % (index, embedded, len(stems)))
        if re.search(r'<img[^>]+src="(?!data:)', page):
            problems.append("%s: references external images (must be self-contained)" % index)
        for g in groups:
            if g not in page and html.escape(g, quote=True) not in page:
                problems.append("%s: group '%s' not mentioned" % (index, g))
        if page.count("<table") < len(groups):
            problems.append("%s: fewer tables than groups" % index)

    for p in problems:
        print("FAIL: " + p)
    if problems:
        return 1
    print("OK: %d files checked in %s" % (len(expected), args.outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
