"""Percentile lookup over a report's HDR-style histogram, for the latency-by-percentile curves.

The report's summaries (latency_us) give five quantiles; a curve over every quantile needs the bins."""

import math

from .fmt import dig, num


def clean_bins(hist):
    """Valid [lower_ns, upper_ns, count] bins with count > 0, ascending by lower bound."""
    out = []
    bins = dig(hist, "bins")
    if not isinstance(bins, list):
        return out
    for b in bins:
        if not isinstance(b, (list, tuple)) or len(b) < 3:
            continue
        lo, hi, c = num(b[0]), num(b[1]), num(b[2])
        if lo is None or hi is None or c is None or c <= 0:
            continue
        if hi < lo:
            lo, hi = hi, lo
        out.append((lo, hi, c))
    out.sort()
    return out


class Distribution:
    """Percentile lookup over an HDR-style histogram (values in ns, linear within a bin)."""

    def __init__(self, hist):
        self.bins = clean_bins(hist)
        self.underflow = max(0.0, num(dig(hist, "underflow")) or 0.0)
        self.overflow = max(0.0, num(dig(hist, "overflow")) or 0.0)
        self.lowest = num(dig(hist, "lowest"))
        self.highest = num(dig(hist, "highest"))
        self.total = self.underflow + sum(c for _, _, c in self.bins) + self.overflow
        self.cum = []
        acc = self.underflow
        for lo, hi, c in self.bins:
            self.cum.append((acc, acc + c, lo, hi))
            acc += c

    def empty(self):
        # Only under/overflow and no bins carries no usable shape either.
        return self.total <= 0 or not self.bins

    def value_ns(self, q):
        """Value at quantile q in [0, 1]."""
        rank = min(max(q, 0.0), 1.0) * self.total
        if self.underflow > 0 and rank <= self.underflow:
            return self.lowest if self.lowest is not None else self.bins[0][0]
        for c0, c1, lo, hi in self.cum:
            if rank <= c1:
                frac = (rank - c0) / (c1 - c0) if c1 > c0 else 1.0
                return lo + (hi - lo) * min(max(frac, 0.0), 1.0)
        if self.overflow > 0 and self.highest is not None:
            return max(self.highest, self.bins[-1][1])
        return self.bins[-1][1]

    def curve(self, max_x):
        """(x, y_us) with x = 1/(1-q), log-spaced from q=0 to the highest quantile the data supports."""
        top = min(max(self.total, 1.0), max_x)
        if top <= 1.0:
            return [1.0], [self.value_ns(0.5) / 1000.0]
        n = 400
        lt = math.log10(top)
        xs = [10 ** (lt * i / (n - 1)) for i in range(n)]
        ys = [self.value_ns(1.0 - 1.0 / x) / 1000.0 for x in xs]
        return xs, ys
