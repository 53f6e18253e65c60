"""Graph's inbound totals (`aggregatedInboundStatistics`) read from a run's statistics.

Graph counts the *active* groups, memberships, organizations and people a run processed, and the
people matched (or not) to a user, by role. Here those are the `active` counts of the entity
counts named `groups`, `memberships`, `organizations` and `people` (0 when absent), and the role
counts split by `matched`.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.domain.models import RoleCount, RunStatistics


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundTotals:
    errors: int = 0
    warnings: int = 0
    groups: int = 0
    memberships: int = 0
    organizations: int = 0
    people: int = 0
    matched_people_by_role: tuple[RoleCount, ...] = ()
    unmatched_people_by_role: tuple[RoleCount, ...] = ()


def inbound_totals(statistics: RunStatistics) -> InboundTotals:
    if not statistics.entities and not statistics.roles:  # most runs count neither
        return InboundTotals(errors=statistics.errors, warnings=statistics.warnings)
    active = {e.entity: e.active for e in statistics.entities}
    return InboundTotals(
        errors=statistics.errors,
        warnings=statistics.warnings,
        groups=active.get("groups", 0),
        memberships=active.get("memberships", 0),
        organizations=active.get("organizations", 0),
        people=active.get("people", 0),
        matched_people_by_role=tuple(r for r in statistics.roles if r.matched),
        unmatched_people_by_role=tuple(r for r in statistics.roles if not r.matched),
    )
