"""The async SQLite store: connections and transactions, migrations, one module per aggregate.

It returns domain objects and raises only `gateway.domain.exceptions` errors.
"""
