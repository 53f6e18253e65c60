"""Who makes a change."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.domain.auth import ALL_WORKSPACES, Workspaces


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change (for the run events), and the workspaces it may change: a record
    outside them is not found, exactly like a missing one."""

    name: str | None = None
    request_id: str | None = None
    workspaces: Workspaces = ALL_WORKSPACES


def key_namespace(operation: str, actor: Actor) -> str:
    """Idempotency keys are the caller's own: two tokens may use the same key."""
    return f"{operation}/{actor.name}" if actor.name else operation
