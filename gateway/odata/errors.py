"""The one exception the query language raises, and how its message is drawn.

    ODataError(code, message, position, expected)
      code       one of the ``ErrorCode`` values below; the API puts it in ``extensions.code``
      position   0-based character offset of the fault in the client's text, or None
      expected   for syntax errors, the tokens that would have been accepted there

Nothing else escapes the package: lark exceptions, RecursionError, ValueError from literal
conversion and anything unforeseen are translated in ``parser.py`` and ``compile.py``.
"""

from __future__ import annotations

import enum

__all__ = ["ErrorCode", "ODataError", "caret"]

_MAX_SHOWN = 120  # characters of the expression shown around the caret


class ErrorCode(enum.StrEnum):
    INVALID_FILTER = "INVALID_FILTER"
    INVALID_ORDERBY = "INVALID_ORDERBY"
    INVALID_SEARCH = "INVALID_SEARCH"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    TYPE_MISMATCH = "TYPE_MISMATCH"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"


def caret(text: str, position: int | None) -> str:
    """The expression on one line and a caret under ``position`` (windowed if long)."""
    if position is None:
        return ""
    flat = "".join(" " if ch in "\r\n\t" else ch for ch in text)
    position = max(0, min(position, len(flat)))
    start = max(0, position - _MAX_SHOWN // 2)
    end = min(len(flat), start + _MAX_SHOWN)
    prefix = "..." if start > 0 else ""
    suffix = "..." if end < len(flat) else ""
    line = prefix + flat[start:end] + suffix
    return f"{line}\n{' ' * (len(prefix) + position - start)}^"


class ODataError(Exception):
    """A client's query text (or typed filter input) that the compiler refuses."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        position: int | None = None,
        expected: tuple[str, ...] = (),
        text: str | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.position = position
        self.expected = expected
        self.text = text
        super().__init__(self.render())

    def render(self) -> str:
        where = f" at position {self.position}" if self.position is not None else ""
        out = f"{self.code.value}: {self.message}{where}"
        if self.expected:
            out += "; expected " + ", ".join(self.expected)
        if self.text is not None and self.position is not None:
            out += "\n" + caret(self.text, self.position)
        return out

    def with_text(self, text: str) -> ODataError:
        """The same error, with the client's text attached so the message shows a caret."""
        if self.text is not None:
            return self
        return ODataError(self.code, self.message, self.position, self.expected, text)

    def __str__(self) -> str:
        return self.render()
