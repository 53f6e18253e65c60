"""The SQL dialects the compiler and the store speak."""

from __future__ import annotations

import enum

__all__ = ["Dialect"]


class Dialect(enum.Enum):
    """An SQL engine's dialect: placeholders, functions and full-text search differ."""

    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"
