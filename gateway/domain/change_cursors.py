"""Cursors of run changes: opaque, like list cursors, naming a position in the run events.

A change cursor is the list cursor format (see `gateway.domain.paging`) under its own ordering
name, holding the event's sequence number and its run's id. Only the sequence number matters;
the id makes a cursor recognisable in logs.
"""

from __future__ import annotations

from gateway.domain.exceptions import InvalidArgumentError
from gateway.domain.paging import decode_cursor, encode_cursor

ORDERING = "RunChange:seq"


def encode_change_cursor(seq: int, run_id: str = "") -> str:
    """The cursor after the change (or scanned event) with sequence number `seq`."""
    return encode_cursor(ORDERING, (seq, run_id))


def decode_change_cursor(cursor: str, argument: str = "after") -> int:
    """The sequence number a change cursor stands for; `INVALID_CURSOR` if it is not one."""
    seq = decode_cursor(cursor, ORDERING, 2, argument)[0]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise InvalidArgumentError(
            "INVALID_CURSOR", argument, f"{argument} is not a cursor of run changes."
        )
    return seq
