"""Consolidation: many report versions of child units -> one set of tables.

The rules (which version a child contributes, how a column totals) are pure
functions of the loaded rows; every figure is read, computed and summed through
``reports.cells``. Loading is plain ORM, a fixed number of queries.

Value conventions (by column type), used by the screen, Excel and PDF alike:

- integer / money / area: ``Decimal`` (row: the unit's number; total: the exact
  sum); ``None`` when nothing was entered or the cell is "không có số liệu".
- yes_no: row: ``True`` / ``False`` / ``None``; total: ``int`` count of "có".
- documents: row: ``list`` of document dicts (kind, number, date, summary);
  total: ``int`` count of documents.
- text: row: ``str``; total: the rows' texts, each prefixed by its unit's name.
- percent: ``Decimal`` recomputed from the (summed) numerator and denominator
  columns, never summed; ``None`` when a part is missing, "no data" or the
  denominator is zero.
- models tables (Biểu 2): ``Decimal`` count of the version's models of the
  column's content area ("*" or blank: all of them).

A numeric total that leaves out a row (no report, "no data" or an empty cell)
is still the sum of the others, and its column is named in
``ConsolidatedTable.partial``.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Case, F, OuterRef, Q, Subquery, When

from . import cells
from .models import (
    AppendixTable,
    ColumnType,
    Report,
    ReportStatus,
    ReportTemplate,
    ReportVersion,
    Round,
    TableSource,
    Unit,
    VersionCell,
)
from .outline import TableLayout, table_layout

SOURCE_APPROVED = "approved"
SOURCE_SUBMITTED = "submitted"
SOURCE_MISSING = "missing"

# The version fields consolidation and its printers read; the other JSON
# (answers, attachments, ...) can be large and stays in the database.
_VERSION_JSON_NOT_READ = ("answers", "commendations", "attachments", "header")


@dataclass
class ConsolidatedRow:
    """One child unit's row: its values from one version (or none yet)."""

    unit: Unit
    # The child's report for the round, whatever its status (None: not started),
    # so a "missing" row can say "submitted, not approved yet".
    report: Report | None
    version: ReportVersion | None
    # Where the row's numbers come from: "approved", "submitted" (only when the
    # caller asked for submitted versions; shown marked) or "missing".
    source: str
    # column id -> value (see the module docstring); a column with "không có số
    # liệu" holds None and its note is in ``notes``.
    values: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)

    @property
    def is_missing(self):
        return self.source == SOURCE_MISSING

    @property
    def is_submitted(self):
        return self.source == SOURCE_SUBMITTED


@dataclass
class ConsolidatedTable:
    table: AppendixTable
    layout: TableLayout
    rows: list[ConsolidatedRow]
    # column id -> total value
    total: dict = field(default_factory=dict)
    # ids of numeric columns whose total leaves out a row (no report, a cell
    # marked "không có số liệu" or an empty one), and of percentages with such
    # a part: printed as partial.
    partial: set = field(default_factory=set)


@dataclass
class Consolidation:
    parent: Unit
    round: Round
    include_submitted: bool
    tables: list[ConsolidatedTable]
    # The template whose tables were used, one row per child unit in order
    # (every table's rows are a subset of these), and the name of the level
    # the header labels use (``label_level_name``).
    template: ReportTemplate | None = None
    rows: list[ConsolidatedRow] = field(default_factory=list)
    level_name: str = ""

    @property
    def missing_units(self):
        return [row.unit for row in self.rows if row.is_missing]

    @property
    def submitted_rows(self):
        return [row for row in self.rows if row.is_submitted]


def consolidate(parent, round_, *, include_submitted=False):
    """The appendix tables of ``parent`` for ``round_``, one row per child unit.

    Children are the units directly below ``parent`` on the round's date
    (``Round.as_of``): a unit retired or created later does not change an
    earlier round. A child's row comes
    from its report's approved version; with ``include_submitted`` a child whose
    report is submitted but not yet approved contributes its latest version
    (``source="submitted"``); otherwise the row is ``"missing"`` and empty (its
    ``report`` is still set when the child has one).

    The tables are those of the template ``parent`` answers (for a unit with no
    template, such as the national root, the template its children answer).
    Child versions may use other templates: cells are matched by (table code,
    column code), and a child appears only in the tables its template has.

    Seven queries whatever the number of children: children, reports, versions,
    templates, their tables, their columns, cells (five when no child has a
    version to read).
    """
    rows = _rows(parent, round_, include_submitted)
    templates = _templates(round_, [row.version for row in rows if row.version])
    current = [
        t for t in templates.values() if t.is_current and t.round_id == round_.pk
    ]
    template = _template_for_type(current, parent.unit_type) or next(
        (
            found
            for row in rows
            if (found := _template_for_type(current, row.unit.unit_type))
        ),
        None,
    )
    level_name = label_level_name(parent, rows)
    result = Consolidation(
        parent=parent,
        round=round_,
        include_submitted=include_submitted,
        tables=[],
        template=template,
        rows=rows,
        level_name=level_name,
    )
    if template is None:
        return result

    by_version = _cells([row.version.pk for row in rows if row.version])
    answered = [(row, _table_codes(row, current, templates)) for row in rows]
    for table in template.tables.all():
        layout = table_layout(table, table.columns.all(), level_name=level_name)
        table_rows = [
            _row(row, table, layout, by_version)
            for row, codes in answered
            if table.code in codes
        ]
        total, partial = _totals(table_rows, layout)
        result.tables.append(
            ConsolidatedTable(table, layout, table_rows, total, partial)
        )
    return result


def label_level_name(parent, rows):
    """The level "Cấp {level}" names in a consolidated table: the consolidating
    unit's own, for the consolidation is its appendix (the province's form says
    "Cấp tỉnh" where its districts' say "Cấp huyện"); the children's for a
    unit without a level."""
    if parent.level_id:
        return parent.level.name
    return children_level_name(rows)


def children_level_name(rows):
    """The name of the children's level on the round's date, for ``{level}``.

    The level most administrative children hold (ties: the upper one), not
    whichever child
    sorts first: a commune placed directly under the province does not turn a
    district-level table into "Cấp xã".
    """
    units = [row.unit for row in rows]
    # Member organisations report beside the administrative units; they name
    # the level only when there is nothing else below.
    units = [u for u in units if not u.is_member_org] or units
    counts = Counter(unit.level for unit in units)
    if not counts:
        return ""
    level = min(counts, key=lambda lvl: (-counts[lvl], lvl.order))
    return level.name


# --- Loading ---------------------------------------------------------------------


def _rows(parent, round_, include_submitted):
    """One ``ConsolidatedRow`` (without values) per child on the round's date.

    Three queries: the children, their reports for the round (each with the id
    of the version it contributes), and those versions.
    """
    children = (
        parent.children_as_of(round_.as_of).select_related("level").order_by("path")
    )
    contributed = F("approved_version")
    if include_submitted:
        latest = (
            ReportVersion.objects.filter(report=OuterRef("pk"))
            .order_by("-number")
            .values("pk")[:1]
        )
        contributed = Case(
            When(status=ReportStatus.SUBMITTED, then=Subquery(latest)),
            default=F("approved_version"),
        )
    reports = {
        report.unit_id: report
        for report in Report.objects.filter(
            round=round_, unit__in=children.values("pk")
        ).annotate(contributed_version_id=contributed)
    }
    versions = {
        version.pk: version
        for version in ReportVersion.objects.filter(
            pk__in=[
                report.contributed_version_id
                for report in reports.values()
                if report.contributed_version_id is not None
            ]
        ).defer(*_VERSION_JSON_NOT_READ)
    }
    rows = []
    for unit in children:
        report = reports.get(unit.pk)
        version = versions.get(report.contributed_version_id) if report else None
        if version is None:
            source = SOURCE_MISSING
        elif version.pk == report.approved_version_id:
            source = SOURCE_APPROVED
        else:
            source = SOURCE_SUBMITTED
        if report is not None:
            # What the printers read, without a query per row.
            report.unit = unit
            if version is not None:
                version.report = report
        rows.append(ConsolidatedRow(unit, report, version, source))
    return rows


def _templates(round_, versions):
    """By id: the round's current templates and those the versions were made
    from, with their tables and columns in order (three queries)."""
    return {
        template.pk: template
        for template in ReportTemplate.objects.filter(
            Q(round=round_, is_current=True)
            | Q(pk__in={version.template_id for version in versions})
        ).prefetch_related("tables__columns")
    }


def _cells(version_ids):
    """Each version's cells, keyed by (table code, column code) (one query)."""
    by_version = {pk: {} for pk in version_ids}
    for cell in VersionCell.objects.filter(version__in=version_ids).values(
        "version_id",
        "column__table__code",
        "column__code",
        "num",
        "text",
        "flag",
        "docs",
        "no_data",
        "note",
    ):
        key = (cell["column__table__code"], cell["column__code"])
        by_version[cell["version_id"]][key] = cell
    return by_version


def _template_for_type(templates, unit_type):
    for template in templates:
        if unit_type in template.unit_types:
            return template
    return None


def _table_codes(row, current, templates):
    """The codes of the tables a child answers: its version's template's, else
    (no version yet) those of the template its type answers now."""
    if row.version is not None:
        template = templates[row.version.template_id]
    else:
        template = _template_for_type(current, row.unit.unit_type)
    if template is None:
        return set()
    return {table.code for table in template.tables.all()}


# --- Rules -----------------------------------------------------------------------


def _row(row, table, layout, by_version):
    """``row`` (a child's) with its values and notes for ``table``."""
    values, notes = {}, {}
    leaves = layout.leaves
    if row.version is None:
        values = dict.fromkeys(c.pk for c in leaves)
    elif table.source == TableSource.MODELS:
        models = row.version.models_data or []
        values = {c.pk: cells.model_count(models, c) for c in leaves}
    else:
        found = by_version[row.version.pk]
        for column in leaves:
            cell = found.get((table.code, column.code))
            values[column.pk] = _value(cell, column.col_type)
            if cell is not None and cell["no_data"]:
                notes[column.pk] = cell["note"]
    for column in leaves:
        if column.col_type == ColumnType.PERCENT:
            values[column.pk] = cells.percent(
                values.get(column.numerator_id), values.get(column.denominator_id)
            )
    return ConsolidatedRow(row.unit, row.report, row.version, row.source, values, notes)


def _value(cell, col_type):
    """A cell's value by the module's conventions (None: empty or "no data")."""
    if cell is None or cell["no_data"]:
        return None
    match col_type:
        case ColumnType.YES_NO:
            return cell["flag"]
        case ColumnType.DOCUMENTS:
            return cell["docs"]
        case ColumnType.TEXT:
            return cell["text"]
        case ColumnType.PERCENT:
            return None  # computed from its parts
        case _:
            return cells.usable(cell)


def _totals(rows, layout):
    """(column id -> total, ids of the numeric columns left partial)."""
    total, partial = {}, set()
    for column in layout.leaves:
        values = [row.values[column.pk] for row in rows]
        match column.col_type:
            case ColumnType.YES_NO:
                total[column.pk] = sum(1 for value in values if value is True)
            case ColumnType.DOCUMENTS:
                total[column.pk] = sum(len(value) for value in values if value)
            case ColumnType.TEXT:
                total[column.pk] = "\n".join(
                    f"{row.unit.name}: {value}"
                    for row, value in zip(rows, values, strict=True)
                    if value
                )
            case ColumnType.PERCENT:
                pass  # from the totals of its parts, below
            case _:
                summed = cells.total(values)
                total[column.pk] = summed.value
                if summed.partial:
                    partial.add(column.pk)
    for column in layout.leaves:
        if column.col_type == ColumnType.PERCENT:
            total[column.pk] = _total_percent(rows, column, total)
            if {column.numerator_id, column.denominator_id} & partial:
                partial.add(column.pk)
    return total, partial


def _total_percent(rows, column, total):
    """The percentage of the summed parts, when both sums count the same rows.

    A row with a denominator but a "no data" numerator (or the reverse) would
    make the total divide unlike sums: the total is then left blank, as the
    row's percentage is.
    """
    numerators = [row.values.get(column.numerator_id) is None for row in rows]
    denominators = [row.values.get(column.denominator_id) is None for row in rows]
    if numerators != denominators:
        return None
    return cells.percent(
        total.get(column.numerator_id), total.get(column.denominator_id)
    )
