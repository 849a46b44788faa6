"""Consolidation: many report versions of child units -> one set of tables (pure).

Value conventions (by column type), used by the screen, Excel and PDF alike:

- integer / money / area: ``Decimal`` (row: the unit's number; total: the sum);
  ``None`` when nothing was entered.
- yes_no: row: ``True`` / ``False`` / ``None``; total: ``int`` count of "có".
- documents: row: ``list`` of document dicts (kind, number, date, summary);
  total: ``int`` count of documents.
- text: row: ``str``; total: the rows' texts, each prefixed by its unit's name.
- percent: ``Decimal`` recomputed from the (summed) numerator and denominator
  columns, never summed; ``None`` when the denominator is empty or zero.
"""

from dataclasses import dataclass, field

from .models import AppendixTable, Report, ReportVersion, Round, Unit
from .outline import TableLayout


@dataclass
class ConsolidatedRow:
    """One child unit's row: its values from one version (or none yet)."""

    unit: Unit
    report: Report | None
    version: ReportVersion | None
    # Where the row's numbers come from: "approved", "submitted" (only when the
    # caller asked for submitted versions; shown marked) or "missing".
    source: str
    # column id -> value (see the module docstring); a column with "không có số
    # liệu" holds None and its note is in ``notes``.
    values: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)


@dataclass
class ConsolidatedTable:
    table: AppendixTable
    layout: TableLayout
    rows: list[ConsolidatedRow]
    # column id -> total value
    total: dict = field(default_factory=dict)


@dataclass
class Consolidation:
    parent: Unit
    round: Round
    include_submitted: bool
    tables: list[ConsolidatedTable]
