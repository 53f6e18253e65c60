"""The exception tree in `gateway.domain.exceptions`' docstring is the tree of its classes."""

from __future__ import annotations

import inspect
import re

from gateway.domain import exceptions

_LINE = re.compile(r"^(?P<indent>[ │]*(?:├── |└── )?)(?P<name>[A-Z]\w+Error)\b")


def documented_tree() -> dict[str, str | None]:
    """Each class named in the docstring's tree, and the parent it is drawn under."""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in (exceptions.__doc__ or "").splitlines():
        match = _LINE.match(line.strip("\n")[4:] if line.startswith("    ") else "")
        if not match:
            continue
        depth = len(match.group("indent"))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[match.group("name")] = stack[-1][1] if stack else None
        stack.append((depth, match.group("name")))
    return parents


def actual_tree() -> dict[str, str | None]:
    classes = {
        name: cls
        for name, cls in vars(exceptions).items()
        if inspect.isclass(cls) and issubclass(cls, exceptions.GatewayError)
    }
    return {
        name: None if cls is exceptions.GatewayError else cls.__base__.__name__
        for name, cls in classes.items()
    }


def test_the_docstring_draws_every_exception_under_its_parent() -> None:
    assert documented_tree() == actual_tree()


def test_the_tree_reader_reads_depth() -> None:
    tree = documented_tree()
    assert tree["GatewayError"] is None
    assert tree["StoreBusyError"] == "StoreError"
    assert tree["NotFoundError"] == "GatewayError"
