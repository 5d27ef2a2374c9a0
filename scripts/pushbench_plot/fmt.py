"""Value coercion and text formatting shared by the model, the charts and the page."""

import html
import math
import re
import textwrap

NUM_LIMIT = 1e18  # beyond any byte count, rate or duration in ns a report can hold; larger is corrupt input


def num(x):
    """x as a finite float, or None (bools, strings, NaN, absurd magnitudes and missing values give None)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    try:
        x = float(x)
    except OverflowError:  # an int too large for a float
        return None
    return x if math.isfinite(x) and abs(x) <= NUM_LIMIT else None


def dig(d, *keys):
    """Nested lookup that tolerates missing keys and wrong types."""
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def text_or_none(x):
    return x if isinstance(x, str) else None


def dict_or_none(x):
    return x if isinstance(x, dict) else None


def slug(text):
    s = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return s or "group"


def wrap(text, width=22):
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False)) if text else ""


def esc(x):
    return html.escape(str(x), quote=True)


def fmt_si(v, unit=""):
    """Compact value: 1234 -> 1.23k, 0.5 -> 0.5."""
    if v is None:
        return "n/a"
    a = abs(v)
    for div, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return "%.3g%s%s" % (v / div, suffix, unit)
    if a >= 100 or a == 0:
        return "%.0f%s" % (v, unit)
    return "%.3g%s" % (v, unit)


def fmt_us(v):
    """Latency in microseconds for labels and tables."""
    if v is None:
        return "n/a"
    if abs(v) >= 1e6:
        return "%.3g s" % (v / 1e6)
    if abs(v) >= 10000:
        return "%.3g ms" % (v / 1000.0)
    if abs(v) >= 100:
        return "%.0f µs" % v
    return "%.3g µs" % v


def fmt_us_tick(v, _pos=None):
    """Axis tick label for a latency in microseconds."""
    if v >= 1e6:
        return "%g s" % (v / 1e6)
    if v >= 1000:
        return "%g ms" % (v / 1000.0)
    return "%g µs" % v


def fmt_bytes(v):
    if v is None:
        return "n/a"
    a = abs(v)
    for div, suffix in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if a >= div:
            return "%.3g %s" % (v / div, suffix)
    return "%.4g B" % v


def fmt_int(v):
    if v is None:
        return "n/a"
    return "{:,.0f}".format(v)


def byte_unit(peak):
    """(unit name, divisor) for an axis of byte counts whose largest magnitude is `peak`."""
    if peak >= 2 << 20:
        return "MiB", 1 << 20
    if peak >= 2048:
        return "KiB", 1024
    return "bytes", 1
