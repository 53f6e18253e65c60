"""The side-by-side report: each server's median round per query, the gateway's ratios to
PostGraphile and to the in-process floor, and every round with the load average."""

from __future__ import annotations

from collections.abc import Sequence

from .rounds import Cell

BASELINE = "postgraphile"


def median(cells: Sequence[Cell]) -> Cell:
    """The median cell by req/s (of an even number, the lower middle one: a round that ran)."""
    ordered = sorted(cells, key=lambda c: c.rps)
    return ordered[(len(ordered) - 1) // 2]


def medians(cells: Sequence[Cell]) -> dict[tuple[str, str], Cell]:
    """(server, query) -> its median round."""
    groups: dict[tuple[str, str], list[Cell]] = {}
    for cell in cells:
        groups.setdefault((cell.server, cell.query), []).append(cell)
    return {key: median(group) for key, group in groups.items()}


def _order(cells: Sequence[Cell], attr: str) -> list[str]:
    seen: list[str] = []
    for cell in cells:
        value = getattr(cell, attr)
        if value not in seen:
            seen.append(value)
    return seen


def _servers(cells: Sequence[Cell], servers: dict[str, str]) -> list[str]:
    """The servers measured, in the order of `servers` (then any other, as first measured)."""
    measured = _order(cells, "server")
    return [n for n in servers if n in measured] + [n for n in measured if n not in servers]


def main_table(cells: Sequence[Cell], labels: dict[str, str], servers: dict[str, str]) -> str:
    """Requests per second and server CPU per request (its processes and PostgreSQL's), the
    median round of each server and query."""
    found = medians(cells)
    names = _servers(cells, servers)
    lines = [
        "| query | " + " | ".join(servers.get(n, n) for n in names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for query in _order(cells, "query"):
        row = []
        for name in names:
            cell = found.get((name, query))
            row.append("-" if cell is None else f"{cell.rps:,.0f} req/s, {cell.cpu_ms:.2f} ms")
        lines.append(f"| {labels.get(query, query)} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def ratio_table(
    cells: Sequence[Cell],
    floors: dict[str, float],
    labels: dict[str, str],
    servers: dict[str, str],
) -> str:
    """Each gateway configuration against PostGraphile (req/s ÷, CPU per request ÷) and its CPU
    per request against the in-process floor, on the median rounds; with the range of the
    per-round req/s ratios (each round's cells ran one after the other, so a ratio within a
    round compares the same moment of the machine)."""
    found = medians(cells)
    by_round: dict[tuple[str, str, int], Cell] = {(c.server, c.query, c.round): c for c in cells}
    lines = [
        "| query | gateway | req/s ÷ PostGraphile | CPU/req ÷ PostGraphile | CPU/req ÷ floor "
        "| PostGraphile CPU/req ÷ floor | per-round req/s ÷ PostGraphile |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for query in _order(cells, "query"):
        base = found.get((BASELINE, query))
        floor = floors.get(query)
        for name in _servers(cells, servers):
            if name == BASELINE or (name, query) not in found or base is None:
                continue
            cell = found[(name, query)]
            per_round = []
            for key, each in sorted(by_round.items()):
                other = by_round.get((BASELINE, query, key[2]))
                if key[0] == name and key[1] == query and other is not None and other.rps:
                    per_round.append(f"{each.rps / other.rps:.2f}")
            floor_ratio = f"{cell.cpu_ms / floor:.1f}x" if floor else "-"
            base_floor = f"{base.cpu_ms / floor:.1f}x" if floor else "-"
            lines.append(
                f"| {labels.get(query, query)} | {servers.get(name, name)} "
                f"| {cell.rps / base.rps:.2f} | {cell.cpu_ms / base.cpu_ms:.2f} "
                f"| {floor_ratio} | {base_floor} | {', '.join(per_round)} |"
            )
    return "\n".join(lines)


def rounds_table(cells: Sequence[Cell], servers: dict[str, str]) -> str:
    """Every cell in the order it ran, with the load average when it began."""
    lines = [
        "| round | query | server | requests | req/s | CPU ms/req | of it PostgreSQL "
        "| client CPU ms/req | load (1 min) |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cells:
        lines.append(
            f"| {c.round} | {c.query} | {servers.get(c.server, c.server)} | {c.requests:,} "
            f"| {c.rps:,.0f} | {c.cpu_ms:.2f} | {c.backend_cpu_ms:.2f} "
            f"| {c.client_cpu_s / max(c.requests, 1) * 1000:.2f} | {c.load1:.2f} |"
        )
    return "\n".join(lines)


def load_summary(cells: Sequence[Cell]) -> str:
    if not cells:
        return "no cells"
    loads = [c.load1 for c in cells]
    return (
        f"1-minute load average over the cells: {min(loads):.2f} to {max(loads):.2f} "
        f"(median {sorted(loads)[(len(loads) - 1) // 2]:.2f}) on {len(cells)} cells"
    )
