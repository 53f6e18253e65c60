"""A reader's pre-merged duration histograms, per time bucket, kept between reports.

A report with percentiles over DAY (WEEK, MONTH) buckets merges each bucket's `run_histograms`
rows (one per workspace, day and bin: about 115 bins a day at 1,000,000 runs, 10,000 rows for 90
days) into one histogram per bucket. A bucket's histogram changes only when a run of one of its
days is written, and every such write adds 1 to `run_daily.changes` of that day's row (migration
0014). So the merged bins of a bucket are kept here with the bucket's *version*: the sum of
`changes` and the count of the `run_daily` rows it covers, both read by the report's first
statement anyway. A later report reads the bins of the buckets whose version moved, only: its
cost is the buckets (days), not the runs. The version is exact (it never repeats for a bucket:
`changes` only grows and rows are never deleted), so the figures are always the database's.

The totals' histogram (every bucket merged) is kept the same way, under the sum of the
buckets' versions. One cache per open database (keyed by the `Database` object), bounded to
`MAX_ENTRIES` buckets (least recently used first out; about 10 KB each at 115 bins).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Hashable
from typing import Final

from gateway.domain.histograms import Sorted

Version = tuple[int, int]  # (sum of `changes`, number of `run_daily` rows) of one bucket
Bins = dict[int, int]
Kept = tuple[Bins, Sorted]  # the merged bins and, made once, their sorted form

MAX_ENTRIES: Final = 4096


class HistogramCache:
    """Merged bins by (what the report selects, bucket), each with the bucket's version."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[Version, Kept]] = OrderedDict()

    def get(self, key: Hashable, version: Version) -> Kept | None:
        """The histogram kept for `key` if it is of `version`, else None."""
        found = self._entries.get(key)
        if found is None or found[0] != version:
            return None
        self._entries.move_to_end(key)
        return found[1]

    def put(self, key: Hashable, version: Version, bins: Bins) -> Kept:
        kept = (bins, Sorted(bins))
        self._entries[key] = (version, kept)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return kept

    def __len__(self) -> int:
        return len(self._entries)


_CACHES: weakref.WeakKeyDictionary[object, HistogramCache] = weakref.WeakKeyDictionary()


def of(database: object) -> HistogramCache:
    """The cache of one open database (made on first use, gone with the database object)."""
    cache = _CACHES.get(database)
    if cache is None:
        cache = _CACHES[database] = HistogramCache()
    return cache
