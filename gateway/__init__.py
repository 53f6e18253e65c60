"""runs-gateway: one typed, OData-style GraphQL API over pipeline and job runs."""

import sys

__version__ = "0.1.0"

# Every entry point imports this module first: on an older Python, one clear line instead of a
# SyntaxError or ImportError from deep inside (the code uses tomllib and 3.11 syntax).
REQUIRES_PYTHON = (3, 11)
if sys.version_info < REQUIRES_PYTHON:
    raise SystemExit(
        f"runs-gateway needs Python {REQUIRES_PYTHON[0]}.{REQUIRES_PYTHON[1]} or newer; this is "
        f"Python {sys.version_info[0]}.{sys.version_info[1]} ({sys.executable})."
    )
