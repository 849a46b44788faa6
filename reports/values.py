"""Old home of parsing and printing figures: re-exports ``reports.cells``.

Kept only until the callers still importing it have moved to ``cells``.
"""

from .cells import format_date, parse_date, parse_number, percent
from .cells import format_number as _format_number

__all__ = ["format_date", "format_number", "parse_date", "parse_number", "percent"]


def format_number(value, places=None):  # noqa: ARG001 (the old signature)
    """``cells.format_number``; ``places`` is ignored: nothing is rounded."""
    return _format_number(value)
