"""The PostgreSQL engine (asyncpg): one database shared by several gateway processes and hosts.
Installed with the `postgres` extra (`pip install "runs-gateway[postgres]"`)."""

from gateway.store.postgres.database import (
    PostgresConnection,
    PostgresDatabase,
    PostgresTransaction,
)

__all__ = ["PostgresConnection", "PostgresDatabase", "PostgresTransaction"]
