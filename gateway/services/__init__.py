"""The use cases: each one validates with `domain/`, reads and writes through `store/` in one
transaction (`store.protocol`), and raises only `gateway.domain.exceptions` errors; nothing is
changed when it raises. `api/`, `http/`, `cli/` and `demo/` call these; services never import them
and never write SQL."""
