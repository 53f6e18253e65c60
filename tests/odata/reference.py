"""A pure-Python reference evaluator of the expression tree over the fixed data set.

Written from the spec (OData 4.01 URL Conventions §5.1.1), independently of the SQL compiler:
comparisons are two-valued (null eq null; gt/lt false on null; ge/le = gt or eq), and/or/not are
three-valued, arithmetic and functions propagate null.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from gateway.odata import ast
from gateway.odata.ast import Kind

from .dataset import ACTIVITIES

DAY = 86_400_000_000

RUN_FIELDS = {
    "id": "id",
    "displayName": "display_name",
    "status": "status",
    "sourceStatus": "source_status",
    "startDateTime": "start_us",
    "endDateTime": "end_us",
    "durations/queue": "queue_us",
    "durations/totalMs": "total_ms",
    "statistics/errors": "errors",
    "ratio": "ratio",
    "isLatestAttempt": "is_latest",
    "guid": "guid",
}
ACT_FIELDS = {"id": "id", "name": "name", "status": "status", "statistics/errors": "errors"}
BOOL_FIELDS = {"isLatestAttempt"}
ENUM_FIELDS = {"status"}


def _utc(us: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=us)


def _micros_now() -> int:
    delta = dt.datetime.now(dt.UTC) - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


class Evaluator:
    def __init__(self, run: dict[str, Any]) -> None:
        self.run = run
        self.vars: dict[str, dict[str, Any]] = {}

    def field(self, path: tuple[str, ...]) -> tuple[Any, str]:
        if path[0] in self.vars:
            row, name = self.vars[path[0]], "/".join(path[1:])
            value = row[ACT_FIELDS[name]]
        else:
            name = "/".join(path[1:] if path[0] == "$it" else path)
            if name == "activityCount":
                return sum(1 for a in ACTIVITIES if a["run_id"] == self.run["id"]), name
            value = self.run[RUN_FIELDS[name]]
        if name in BOOL_FIELDS and value is not None:
            value = bool(value)
        return value, name

    def value(self, e: ast.Expr) -> Any:
        match e:
            case ast.Literal(kind=Kind.ENUM):
                return str(e.value).upper()
            case ast.Literal():
                return e.value
            case ast.Member():
                return self.field(e.path)[0]
            case ast.BoolOp(op="and"):
                vals = [self.value(i) for i in e.items]
                if any(v is False for v in vals):
                    return False
                return None if any(v is None for v in vals) else True
            case ast.BoolOp(op="or"):
                vals = [self.value(i) for i in e.items]
                if any(v is True for v in vals):
                    return True
                return None if any(v is None for v in vals) else False
            case ast.Unary(op="not"):
                v = self.value(e.operand)
                return None if v is None else not v
            case ast.Unary():
                v = self.value(e.operand)
                return None if v is None else -v
            case ast.Binary():
                return self.binary(e)
            case ast.In():
                a = self.operand(e.operand, e.items[0])
                return any(self.eq(a, self.operand(i, e.operand)) for i in e.items)
            case ast.Call():
                return self.call(e.name, [self.value(a) for a in e.args])
            case ast.Lambda():
                items = [a for a in ACTIVITIES if a["run_id"] == self.run["id"]]
                if e.predicate is None:
                    return bool(items)
                results = []
                for item in items:
                    self.vars[e.var or ""] = item
                    results.append(self.value(e.predicate) is True)
                    del self.vars[e.var or ""]
                return any(results) if e.kind == "any" else all(results)
        raise AssertionError(e)

    def operand(self, e: ast.Expr, other: ast.Expr) -> Any:
        """String literals compared with enum fields match case-insensitively."""
        v = self.value(e)
        if isinstance(e, ast.Literal) and isinstance(other, ast.Member) and isinstance(v, str):
            if other.path[-1] == "status":
                return v.upper()
            if other.path[-1] == "guid":
                return v.lower()
        return v

    @staticmethod
    def eq(a: Any, b: Any) -> bool:
        return bool(a is None and b is None) or (a is not None and b is not None and a == b)

    def binary(self, e: ast.Binary) -> Any:
        a, b = self.operand(e.left, e.right), self.operand(e.right, e.left)
        op = e.op
        if op == "eq":
            return self.eq(a, b)
        if op == "ne":
            return not self.eq(a, b)
        if op in ("gt", "ge", "lt", "le"):
            if op in ("ge", "le") and self.eq(a, b):
                return True
            if a is None or b is None:
                return False
            return a > b if op in ("gt", "ge") else a < b
        if a is None or b is None:
            return None
        if op == "add":
            r = a + b
        elif op == "sub":
            r = a - b
        elif op == "mul":
            r = a * b
        elif op == "div":
            if b == 0:
                return None
            r = _trunc_div(a, b) if isinstance(a, int) and isinstance(b, int) else a / b
        elif op == "divby":
            return None if b == 0 else a / b
        else:  # mod
            return None if b == 0 else a - b * _trunc_div(a, b)
        left_date = isinstance(e.left, ast.Call) and e.left.name == "date"
        right_duration = isinstance(e.right, ast.Literal) and e.right.kind is Kind.DURATION
        if op in ("add", "sub") and left_date and right_duration:
            r = r - r % DAY
        return r

    def call(self, name: str, args: list[Any]) -> Any:
        if name != "now" and any(a is None for a in args):
            return None
        match name:
            case "contains":
                return args[1] in args[0]
            case "startswith":
                return args[0].startswith(args[1])
            case "endswith":
                return args[0].endswith(args[1])
            case "indexof":
                return args[0].find(args[1])
            case "length":
                return len(args[0])
            case "substring":
                if any(n < 0 for n in args[1:]):
                    return None
                s = args[0][args[1] :]
                return s if len(args) == 2 else s[: args[2]]
            case "concat":
                return args[0] + args[1]
            case "tolower":
                return args[0].lower()
            case "toupper":
                return args[0].upper()
            case "trim":
                return args[0].strip()
            case "year" | "month" | "day" | "hour" | "minute" | "second":
                return getattr(_utc(args[0]), name)
            case "date":
                return args[0] - args[0] % DAY
            case "time":
                return args[0] % DAY
            case "round":
                x = args[0]
                return x if isinstance(x, int) else math.copysign(math.floor(abs(x) + 0.5), x)
            case "floor":
                return math.floor(args[0])
            case "now":
                return _micros_now()
            case "matchespattern":
                return re.search(args[1], args[0]) is not None
            case "ceiling":
                return math.ceil(args[0])
        raise AssertionError(name)


def matching_ids(expr: ast.Expr, runs: list[dict[str, Any]]) -> list[int]:
    return sorted(r["id"] for r in runs if Evaluator(r).value(expr) is True)
