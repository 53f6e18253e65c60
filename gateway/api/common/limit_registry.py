"""The one table of limits: every limit a request meets, by the one name errors give it
(`extensions.limit`, camelCase), its value and what it bounds. `capabilities.limits` is made from
this table, and each value is the constant the limit is enforced with (the query language's in
`odata.limits`, paging's in `domain.paging`, the document's in `api.common.limits`, ...), so what
is reported is what is enforced.

Names were once mixed (`MAX_FILTER_LENGTH` beside `queryDepth`), and `MAX_DEPTH` meant a filter's
nesting while `queryDepth` meant a document's. Each old name is still reported, deprecated, with
the same value, until clients move to the new one.

Limits set per deployment (`requestBodyBytes`, `requestsPerMinute`, `subscriptions`,
`statementTimeMs`) are settings, not in this table: `CONFIGURED` names them.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql.validation.rules.overlapping_fields_can_be_merged import MAX_COMPLEXITY_BUDGET

from gateway.api.common import limits as document
from gateway.domain import aggregates, paging, starts
from gateway.odata import limits as query_language
from gateway.services import bulk


@dataclass(frozen=True, slots=True)
class Limit:
    """A limit: its name (as errors name it), its value, what it bounds, and the names it had."""

    name: str
    value: int
    description: str
    old_name: str | None = None


LIMITS: tuple[Limit, ...] = (
    Limit("filterLength", query_language.MAX_FILTER_LENGTH, "Characters of `filter` text.", "MAX_FILTER_LENGTH"),
    Limit("orderByLength", query_language.MAX_ORDERBY_LENGTH, "Characters of `orderBy` text.", "MAX_ORDERBY_LENGTH"),
    Limit("searchLength", query_language.MAX_SEARCH_LENGTH, "Characters of `search` text.", "MAX_SEARCH_LENGTH"),
    Limit("filterDepth", query_language.MAX_DEPTH, "Nesting of a filter expression (and/or lists count as one level).", "MAX_DEPTH"),
    Limit("filterParentheses", query_language.MAX_PAREN_DEPTH, "Nesting of parentheses in a filter."),
    Limit("filterNodes", query_language.MAX_NODES, "Expression nodes in one filter.", "MAX_NODES"),
    Limit("inListValues", query_language.MAX_IN_LIST, "Values in one `in (...)` list.", "MAX_IN_LIST"),
    Limit("lambdaNesting", query_language.MAX_LAMBDA_NESTING, "`any`/`all` inside `any`/`all`.", "MAX_LAMBDA_NESTING"),
    Limit("orderByKeys", query_language.MAX_ORDERBY_KEYS, "Keys in one `orderBy`.", "MAX_ORDERBY_KEYS"),
    Limit("searchTerms", query_language.MAX_SEARCH_TERMS, "Words and phrases in one `search`.", "MAX_SEARCH_TERMS"),
    Limit("stringLiteralLength", query_language.MAX_STRING_LITERAL, "Characters of one string literal.", "MAX_STRING_LITERAL"),
    Limit("defaultPageSize", paging.DEFAULT_PAGE_SIZE, "Page size when `first`/`last` are left out.", "DEFAULT_PAGE_SIZE"),
    Limit("pageSize", paging.MAX_PAGE_SIZE, "Largest `first`/`last`.", "MAX_PAGE_SIZE"),
    Limit("cursorLength", paging.MAX_CURSOR_LENGTH, "Characters of one `after`/`before` cursor."),
    Limit("queryDepth", document.MAX_DEPTH, "Fields nested in one document."),
    Limit("queryCost", document.MAX_COST, "Field resolutions one operation may cause (page sizes multiply down nested lists); responses report it in `extensions.cost`."),
    Limit("queryAliases", document.MAX_ALIASES, "Aliases in one document."),
    Limit("queryTokens", document.MAX_TOKENS, "Lexical tokens in one document."),
    Limit("queryFragmentSpreads", document.MAX_FRAGMENT_SPREADS, "Fragment spreads one document expands to."),
    Limit("queryFields", document.MAX_FIELDS, "Fields one document selects once its fragments are expanded."),
    Limit("queryValidationBudget", MAX_COMPLEXITY_BUDGET, "Comparisons of same-named fields the validation of one document may make."),
    Limit("bulkRuns", bulk.MAX_BULK_RUNS, "Runs one `cancelRuns`/`deleteRuns` changes."),
    Limit("waitSeconds", starts.MAX_WAIT_SECONDS, "Seconds `startRun`/`retryRun` wait for the run to finish."),
    Limit("groups", aggregates.MAX_GROUPS, "Groups in one statistics report."),
    Limit("scannedRuns", aggregates.MAX_SCANNED_RUNS, "Runs one statistics report covers."),
)  # fmt: skip

CONFIGURED = frozenset(
    {"requestBodyBytes", "requestsPerMinute", "subscriptions", "statementTimeMs"}
)
"""Limits set per deployment (settings); errors name them like the table's."""

BY_NAME = {limit.name: limit for limit in LIMITS}
