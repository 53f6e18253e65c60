"""The store: rows in and out, one module per aggregate, shared by both engines.

Row modules take a `store.protocol` connection or transaction, return domain objects and raise only
`gateway.domain.exceptions` errors. The engines are `store.sqlite` (the default) and
`store.postgres`; `store.engines.database_for` picks one. Use cases live in `gateway.services`.
"""
