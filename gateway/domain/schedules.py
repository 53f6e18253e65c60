"""Cron schedules: which slot of a process's schedule is due.

A schedule is a five-field cron expression in UTC. After downtime only the latest missed slot is
due, so a server that was down for a day starts one run, not every run it missed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from croniter import croniter

from gateway.domain.exceptions import ValidationError


def check_cron(path: str, expression: str) -> str:
    if not croniter.is_valid(expression):
        raise ValidationError(
            path, "must be a cron expression of five fields, such as '0 */12 * * *'."
        )
    return expression


def latest_slot(expression: str, now: datetime) -> datetime:
    """The latest time at or before `now` the schedule names."""
    # Slots fall on whole minutes, and `get_prev` excludes its start: start from the next minute.
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    slot: datetime = croniter(expression, start).get_prev(datetime)
    return slot


def due_slot(
    expression: str, *, now: datetime, not_before: datetime, last_fired: datetime | None
) -> datetime | None:
    """The slot to fire now, if any: the latest slot at or before `now`, when it is after the
    last slot fired and not before `not_before` (the schedule's creation)."""
    slot = latest_slot(expression, now)
    if slot < not_before or (last_fired is not None and slot <= last_fired):
        return None
    return slot
