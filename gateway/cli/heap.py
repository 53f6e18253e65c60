"""The garbage collector's settings for a long-lived or bulk-loading process.

`gateway serve` settles its heap once the application has started; `gateway import` and
`gateway sync` once their command is set up, before the first record is read.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

YOUNG_OBJECTS = 10_000  # the collector's first threshold (Python's default: 700)


def settle_heap() -> None:
    """Move what the process has built so far (schema, plans, modules) out of the garbage
    collector's sight (`gc.freeze`), and collect the youngest generation after 10,000 new
    objects rather than 700.

    A nested page builds thousands of dicts, each request's freed with it; with the default, the
    collector ran about once a request over the live ones and now and then over the whole
    start-up heap: 11-12% of a worker's CPU on the nested list (py-spy, on PostgreSQL), for
    nothing to reclaim. An import or sync batch holds a thousand runs' records until it commits:
    the default collector went over them some 36 times a batch and over the whole heap about
    every 3,300 runs, 0.54 s of a 20,000-run first sync's 5 s; 0.33 s with these settings
    (`gc.callbacks`)."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, middle, oldest)


@contextlib.contextmanager
def bulk_heap() -> Iterator[None]:
    """`settle_heap` for the length of a bulk command (`import`, `sync`), then the collector
    as it was (the command may run inside another program, a test among others). A program
    that had frozen its heap before keeps it frozen: `gc` cannot unfreeze only what the command
    froze, and unfreezing it all would undo the program's own `settle_heap`."""
    threshold = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    settle_heap()
    try:
        yield
    finally:
        if not frozen_before:
            gc.unfreeze()
        gc.set_threshold(*threshold)
