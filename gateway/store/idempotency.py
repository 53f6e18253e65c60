"""Idempotency keys: the first result of a mutation, so a retried request gets it again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gateway.domain.clock import to_micros
from gateway.domain.starts import IDEMPOTENCY_TTL
from gateway.store.protocol import Transaction

PURGE_BATCH = 100


@dataclass(frozen=True, slots=True)
class Remembered:
    request_hash: str
    result_id: str


async def recall(tx: Transaction, operation: str, key: str, now: datetime) -> Remembered | None:
    """The result first given for `key`, unless it has expired."""
    row = await tx.fetchone(
        "SELECT request_hash, result_id FROM idempotency_keys "
        "WHERE operation = ? AND key = ? AND expires_at > ?",
        (operation, key, to_micros(now)),
    )
    return Remembered(row[0], row[1]) if row else None


async def remember(
    tx: Transaction, operation: str, key: str, request_hash: str, result_id: str, now: datetime
) -> None:
    """Keep the result of `key` for at least `IDEMPOTENCY_TTL`; forget a few expired ones."""
    await tx.execute(
        "DELETE FROM idempotency_keys WHERE (operation, key) IN (SELECT operation, key FROM "
        "idempotency_keys WHERE expires_at <= ? LIMIT ?)",
        (to_micros(now), PURGE_BATCH),
    )
    await tx.execute(
        "INSERT INTO idempotency_keys "
        "(operation, key, request_hash, result_id, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (operation, key) DO UPDATE SET "
        "request_hash = excluded.request_hash, result_id = excluded.result_id, "
        "created_at = excluded.created_at, expires_at = excluded.expires_at",
        (operation, key, request_hash, result_id, to_micros(now), to_micros(now + IDEMPOTENCY_TTL)),
    )
