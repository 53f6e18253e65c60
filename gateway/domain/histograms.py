"""The duration histograms the store maintains (migration 0012, `run_histograms`): which bin a
value falls in, what a bin stands for, and the summary of a merged histogram.

Bins are log-linear: a value below 32 ms is its own bin (exact); past that, each power of two is
cut into 16 equal bins, so a bin's values lie within 1/16 of its lower bound. A bin stands for its
middle value, which is within `RELATIVE_ERROR` (1/32, 3.125%) of every value in it. Percentiles
keep the nearest-rank definition of `gateway.domain.aggregates` over the binned values: the
p-th percentile is the middle of the bin that holds rank ceil(p * n / 100), so it is within
1/32 of the exact percentile; min and max are the middles of the lowest and highest bins. Values
of 2^47 ms (4,460 years) and more share one last bin. Histograms of disjoint sets of runs merge
by adding their bins' counts.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from itertools import accumulate
from typing import Final

from gateway.domain.aggregates import PERCENTILES, DurationSummary

EXACT_BELOW: Final = 32
SUB_BINS: Final = 16
TOP_OCTAVE: Final = 46
LAST_BIN: Final = SUB_BINS * (TOP_OCTAVE - 2)
RELATIVE_ERROR: Final = 1 / 32
"""The most a figure read from a histogram differs from the exact one, relative to it."""


def bin_of(value: int) -> int:
    """The bin that holds `value` (the SQL of migration 0012 computes the same)."""
    if value < EXACT_BELOW:
        return value
    octave = value.bit_length() - 1
    if octave > TOP_OCTAVE:
        return LAST_BIN
    return SUB_BINS * (octave - 4) + (value >> (octave - 4))


def middle(bin: int) -> int:
    """The value a bin stands for: the middle of its range (its value below 32)."""
    if bin < EXACT_BELOW:
        return bin
    if bin >= LAST_BIN:
        return 1 << (TOP_OCTAVE + 1)
    octave = bin // SUB_BINS + 3
    width = 1 << (octave - 4)
    lower = (SUB_BINS + bin % SUB_BINS) * width
    return lower + (width - 1) // 2


class Sorted:
    """A histogram's populated bins in ascending order with their running counts: what a
    summary needs, made once per histogram (a reader's cache keeps it with the bins)."""

    __slots__ = ("ascending", "running")

    def __init__(self, bins: Mapping[int, int]) -> None:
        self.ascending = sorted(b for b, n in bins.items() if n > 0)
        self.running = list(accumulate(bins[b] for b in self.ascending))


def summary(
    count: int, total: int, bins: Mapping[int, int], ordered: Sorted | None = None
) -> DurationSummary:
    """The summary of `count` values adding up to `total` (both exact), whose histogram is `bins`
    (bin to how many values; `ordered`, when given, is `Sorted(bins)`): min, max and
    percentiles from the bins."""
    ordered = ordered or Sorted(bins)
    ascending, running = ordered.ascending, ordered.running
    if not count or not running:
        return DurationSummary(count=count, sum=total)
    size = running[-1]
    picked = {
        f"p{p}": middle(ascending[bisect_left(running, max((p * size + 99) // 100, 1))])
        for p in PERCENTILES
    }
    return DurationSummary(
        count=count,
        sum=total,
        min=middle(ascending[0]),
        max=middle(ascending[-1]),
        **picked,
    )


def merge(histograms: Iterable[Mapping[int, int]]) -> dict[int, int]:
    """The histogram of the union of disjoint sets of values."""
    merged: dict[int, int] = {}
    for histogram in histograms:
        for b, n in histogram.items():
            merged[b] = merged.get(b, 0) + n
    return merged
