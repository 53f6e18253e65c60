"""Attempt lineage of imported runs, linked once per batch in a few statements.

A batch links every attempt chain it touched: the chains its retries name (their platform id of
the first attempt) and the chains whose first attempt it imported. Everything is read in one
statement per source and 500 ids (first attempts, and the retries `import_lineage` names), the
batch's own runs overlaid on what is stored. A run the batch adds and has not written yet is
linked before it is written (its CREATED event carries the lineage, no second version); a stored
run whose lineage changes gets its next version and an UPDATED event, all in one `executemany`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, MutableMapping, Sequence

from gateway.domain.imports import relink
from gateway.domain.models import Run, RunChangeKind
from gateway.store import events
from gateway.store.codec import run_from_row, run_to_params, update_sql
from gateway.store.protocol import Transaction

_CHUNK = 500  # ids per IN (...) list
Chain = tuple[str, str, str]  # (workspace id, source, platform id of the first attempt)
Link = tuple[str, str, str, str]  # (run id, workspace id, source, platform id of the first attempt)


def _chunks(items: Sequence[str]) -> list[Sequence[str]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def _by_source(keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], list[str]]:
    grouped: dict[tuple[str, str], set[str]] = {}
    for workspace_id, source, source_id in keys:
        grouped.setdefault((workspace_id, source), set()).add(source_id)
    return {key: sorted(ids) for key, ids in grouped.items()}


async def chains_rooted_at(tx: Transaction, roots: Iterable[tuple[str, str, str]]) -> set[Chain]:
    """The stored chains whose first attempt is one of `roots` ((workspace, source, sourceId))."""
    found: set[Chain] = set()
    for (workspace_id, source), ids in _by_source(roots).items():
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            rows = await tx.fetch_tuples(
                "SELECT DISTINCT original_source_id FROM import_lineage WHERE workspace_id = ? "
                f"AND source = ? AND original_source_id IN ({marks})",
                [workspace_id, source, *chunk],
            )
            found.update((workspace_id, source, row[0]) for row in rows)
    return found


async def _stored(
    tx: Transaction, chains: Iterable[Chain]
) -> tuple[dict[Chain, Run], dict[Chain, dict[str, Run]]]:
    """The stored first attempt of each chain, and the stored runs that name it, by id."""
    roots: dict[Chain, Run] = {}
    retries: dict[Chain, dict[str, Run]] = {}
    for (workspace_id, source), ids in _by_source(chains).items():
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            params = [workspace_id, source, *chunk]
            for row in await tx.fetchall(
                "SELECT * FROM runs WHERE workspace_id = ? AND source = ? "
                f"AND source_id IN ({marks})",
                params,
            ):
                roots[(workspace_id, source, row["source_id"])] = run_from_row(row)
            for row in await tx.fetchall(
                "SELECT l.original_source_id AS _original, r.* FROM import_lineage l "
                "JOIN runs r ON r.id = l.run_id WHERE l.workspace_id = ? AND l.source = ? "
                f"AND l.original_source_id IN ({marks})",
                params,
            ):
                run = run_from_row(row)
                retries.setdefault((workspace_id, source, row["_original"]), {})[run.id] = run
    return roots, retries


async def link(
    tx: Transaction,
    chains: set[Chain],
    *,
    current: Mapping[tuple[str, str, str], Run],
    pending: MutableMapping[str, Run],
    links: Sequence[Link],
    actor: str,
) -> None:
    """Link the attempts of `chains`.

    `current` holds the batch's own view of runs by (workspace, source, sourceId), newer than
    what is stored; `pending` the runs the batch adds and has not written yet (they are linked in
    place); `links` the batch's lineage rows (run id, workspace, source, first attempt's id),
    also those not written yet.
    """
    if not chains:
        return
    stored_roots, stored_retries = await _stored(tx, chains)
    by_id = {run.id: run for run in current.values()}
    named = {run_id: (ws, source, original) for run_id, ws, source, original in links}
    changed: list[Run] = []
    for chain in sorted(chains):
        root = current.get(chain) or stored_roots.get(chain)
        retries: dict[str, Run] = {}
        for run_id, run in stored_retries.get(chain, {}).items():
            if named.get(run_id, chain) == chain:  # not moved to another chain by this batch
                retries[run_id] = by_id.get(run_id, run)
        for run_id, names in named.items():
            if names == chain and run_id in by_id:
                retries[run_id] = by_id[run_id]
        retries.pop(root.id if root else "", None)
        for run in relink(root, list(retries.values())):
            if run.id in pending:  # not written yet: written linked, as its first version
                pending[run.id] = dataclasses.replace(run, version=run.version - 1)
            else:
                changed.append(run)
    await _save(tx, changed, actor)


async def _save(tx: Transaction, changed: Sequence[Run], actor: str) -> None:
    if not changed:
        return
    rows = [run_to_params(run) for run in changed]
    sql = update_sql("runs", rows[0])
    expected = [run.version - 1 for run in changed]
    await tx.execute_many(
        sql, [{**row, "expected_version": v} for row, v in zip(rows, expected, strict=True)]
    )
    await events.append_many(
        tx,
        changed,
        RunChangeKind.UPDATED,
        from_status=[run.status for run in changed],
        actor=actor,
        reason="attempt lineage",
    )
