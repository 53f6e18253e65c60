"""The compiled fast path: query operations over runs, activities and processes, compiled once
into a plan (columns to select, batched relations, a row-to-JSON writer) and run without
per-field resolution. The executor stays the reference: whatever the plan compiler does not
cover, and any request that fails on the fast path, runs through it, so answers and errors are
the executor's.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson
import strawberry
from graphql import ASTValidationRule, GraphQLError, GraphQLField, parse, specified_rules
from graphql.execution.values import VariableValues, get_variable_values
from strawberry.extensions import AddValidationRules
from strawberry.types.arguments import convert_argument

from gateway.api.common.limits import MAX_TOKENS, check_cost
from gateway.api.common.validation import validate
from gateway.api.fastpath.collect import Unsupported
from gateway.api.fastpath.execute import Execution
from gateway.api.fastpath.parts import Plan
from gateway.api.fastpath.plan import compile_operation
from gateway.api.fastpath.writers import DUMP_OPTIONS, bind
from gateway.domain.auth import Workspaces
from gateway.store.protocol import Database

__all__ = ["Answer", "FastPath", "Plan", "validation_rules"]

log = logging.getLogger("gateway.fastpath")


def validation_rules(schema: strawberry.Schema) -> tuple[type[ASTValidationRule], ...]:
    """The rules the executor validates with: graphql's, plus those the schema's extensions add
    (`AddValidationRules` and its subclasses, such as the query limits)."""
    rules: list[type[ASTValidationRule]] = list(specified_rules)
    for make in schema.extensions:
        extension = make()  # a class or a factory, as strawberry builds one per request
        if isinstance(extension, AddValidationRules):
            rules.extend(extension.validation_rules)
    return tuple(rules)


@dataclass(frozen=True, slots=True)
class Answer:
    """The fast path's answer: the encoded `data`, and the operation's cost."""

    data: orjson.Fragment
    cost: int


class FastPath:
    """Plans cached by document and operation name (`None` remembers "not covered")."""

    def __init__(self, schema: strawberry.Schema, maxsize: int = 256) -> None:
        self.schema = schema._schema
        self.rules = validation_rules(schema)
        self._scalars = schema.schema_converter.scalar_registry
        self._config = schema.config
        self.maxsize = maxsize
        self._plans: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()
        self.taken = 0  # requests answered by the fast path (tests read it)
        self.consulted = 0  # requests it was asked to answer (tests read it)

    async def plan(self, query: str, operation_name: str | None) -> Plan | None:
        """The plan of a valid operation the fast path covers, else None."""
        key = (query, operation_name)
        try:
            self._plans.move_to_end(key)
            return self._plans[key]
        except KeyError:
            pass
        plan = await self._compile(query, operation_name)
        self._plans[key] = plan
        if len(self._plans) > self.maxsize:
            self._plans.popitem(last=False)
        return plan

    async def _compile(self, query: str, operation_name: str | None) -> Plan | None:
        try:
            document = parse(query, max_tokens=MAX_TOKENS)
        except GraphQLError:
            return None  # the executor reports it
        if await validate(self.schema, document, self.rules):
            return None  # likewise, with the same rules and limits
        try:
            plan = bind(compile_operation(self.schema, document, operation_name))
            plan.document = document
            return plan
        except Unsupported as why:
            log.debug("not on the fast path: %s", why)
        except Exception:  # a defect here must not fail a request the executor can answer
            log.exception("the fast path could not compile an operation")
        return None

    def typed(self, field: GraphQLField, argument: str, value: Any) -> Any:
        """An input argument as its resolver receives it (a `RunWhere`, not a dict)."""
        definition = field.extensions["strawberry-definition"]
        (wanted,) = (a for a in definition.arguments if a.python_name == argument)
        return convert_argument(value, wanted.type, self._scalars, self._config)

    async def execute(
        self,
        db: Database,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        workspaces: Workspaces,
        report: dict[str, Any] | None = None,
    ) -> Answer | None:
        """The response's `data`, encoded, and its cost; None when the executor must answer
        instead (it reports every error, a cost past the limit included). `report` gets the
        operation's name and cost for the access log, as the executor's extension does."""
        self.consulted += 1
        plan = await self.plan(query, operation_name)
        if plan is None:
            return None
        name = plan.operation.name.value if plan.operation.name else operation_name
        if plan.operation.variable_definitions:
            coerced = get_variable_values(
                self.schema, plan.operation.variable_definitions, variables or {}
            )
            if isinstance(coerced, list):
                return None  # variable errors: the executor reports them
            values: VariableValues | None = coerced
            cost = self._cost(plan, name, coerced.coerced, report)
        else:  # no variables (any given are ignored): the cost is the document's alone
            values = None
            if not plan.costed:
                plan.fixed_cost = self._cost(plan, name, {}, None)
                plan.costed = True
            cost = plan.fixed_cost
            if cost is not None and report is not None:
                report["operation"] = name
                report["cost"] = cost
        if cost is None:
            return None  # past the limit: the executor reports it
        try:
            async with db.read() as conn:
                data = await Execution(conn, values, self.typed, workspaces).run(plan)
        except Exception as why:
            log.debug("fast path declined at run time: %r", why)
            return None
        self.taken += 1
        return Answer(orjson.Fragment(orjson.dumps(data, option=DUMP_OPTIONS)), cost)

    @staticmethod
    def _cost(
        plan: Plan, name: str | None, variables: dict[str, Any], report: dict[str, Any] | None
    ) -> int | None:
        """The operation's cost (`check_cost`), or None past the limit."""
        assert plan.document is not None
        try:
            return check_cost(plan.document, name, variables, report) or 0
        except GraphQLError:
            return None
