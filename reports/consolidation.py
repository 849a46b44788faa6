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

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from .models import (
    AppendixTable,
    ColumnType,
    Report,
    ReportStatus,
    ReportTemplate,
    ReportVersion,
    Round,
    TableColumn,
    TableSource,
    Unit,
    VersionCell,
)
from .outline import TableLayout, table_layout
from .values import percent

# Version fields consolidation never reads: left out of the query (they can be big).
_HEAVY_VERSION_FIELDS = ("answers", "commendations", "attachments", "header")
SOURCE_APPROVED = "approved"
SOURCE_SUBMITTED = "submitted"
SOURCE_MISSING = "missing"


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


@dataclass
class Consolidation:
    parent: Unit
    round: Round
    include_submitted: bool
    tables: list[ConsolidatedTable]
    # Added: the template whose tables were used, one row per child unit in
    # order (every table's rows are a subset of these), and the name of the
    # children's level ("huyện") that the header labels use.
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

    Children are the active units directly below ``parent``. A child's row comes
    from its report's approved version; with ``include_submitted`` a child whose
    latest version is submitted but not yet approved contributes that version
    (``source="submitted"``); otherwise the row is ``"missing"`` and empty.

    The tables are those of the template ``parent`` answers (for a unit with no
    template, such as the national root, the template its children answer).
    Child versions may use other templates: cells are matched by (table code,
    column code), and a child appears only in the tables its template has.

    Runs a fixed number of queries whatever the number of children.
    """
    children = list(Unit.objects.active().filter(parent=parent).select_related("level"))
    # By the children's ids, not a join on the unit's parent: the database then
    # walks the (unit, round) index instead of every report of the round.
    child_ids = [child.pk for child in children]
    reports = {
        report.unit_id: report
        for report in Report.objects.filter(round=round_, unit_id__in=child_ids)
        .order_by()
        .select_related("approved_version")
        .defer(*(f"approved_version__{name}" for name in _HEAVY_VERSION_FIELDS))
    }
    latest_submitted = {}
    if include_submitted:
        for version in (
            ReportVersion.objects.filter(
                report__round=round_,
                report__unit_id__in=child_ids,
                report__status=ReportStatus.SUBMITTED,
            )
            .defer(*_HEAVY_VERSION_FIELDS)
            .order_by("report_id", "number")
        ):
            latest_submitted[version.report_id] = version
    templates = list(
        ReportTemplate.objects.filter(
            Q(round=round_, is_current=True)
            | Q(pk__in=[r.approved_version.template_id for r in _approved(reports)])
            | Q(pk__in=[v.template_id for v in latest_submitted.values()])
        )
    )
    current = [t for t in templates if t.is_current and t.round_id == round_.pk]
    template = _template_for_type(current, parent.unit_type) or next(
        (
            found
            for child in children
            if (found := _template_for_type(current, child.unit_type))
        ),
        None,
    )

    rows = []
    for child in children:
        report = reports.get(child.pk)
        version, source = None, SOURCE_MISSING
        if report is not None and report.approved_version_id:
            version, source = report.approved_version, SOURCE_APPROVED
        if include_submitted and report is not None:
            submitted = latest_submitted.get(report.pk)
            if submitted is not None and submitted.pk != report.approved_version_id:
                version, source = submitted, SOURCE_SUBMITTED
        rows.append(
            ConsolidatedRow(unit=child, report=report, version=version, source=source)
        )
    level_name = children[0].level.name if children else ""
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

    # Which template each child answers: its version's, else the one its type
    # answers now; a child is in the tables its template has.
    child_template = {}
    for row in rows:
        if row.version is not None:
            child_template[row.unit.pk] = row.version.template_id
        else:
            found = _template_for_type(current, row.unit.unit_type)
            child_template[row.unit.pk] = found.pk if found else None

    # The parent template's tables and columns as objects (they make the
    # layout); the children's templates' columns as bare keys, in one query:
    # a child's column maps to the parent's of the same (table, column) code.
    tables = {table.pk: table for table in template.tables.all()}
    by_table = {pk: [] for pk in tables}
    parent_key = {}
    for column in TableColumn.objects.filter(table__template=template).order_by(
        "order"
    ):
        by_table[column.table_id].append(column)
        if column.col_type:
            parent_key[(tables[column.table_id].code, column.code)] = column.id
    table_codes = {template.pk: {table.code for table in tables.values()}}
    column_map = {pk: pk for pk in parent_key.values()}
    other_templates = set(child_template.values()) - {template.pk, None}
    for column_id, template_id, table_code, column_code in TableColumn.objects.filter(
        table__template__in=other_templates | {template.pk}
    ).values_list("id", "table__template_id", "table__code", "code"):
        table_codes.setdefault(template_id, set()).add(table_code)
        target = parent_key.get((table_code, column_code))
        if target is not None:
            column_map[column_id] = target

    types = {
        column.pk: column.col_type
        for columns in by_table.values()
        for column in columns
        if column.col_type
    }
    values, notes = _read_cells(
        [row.version.pk for row in rows if row.version is not None], column_map, types
    )
    for table in tables.values():
        layout = table_layout(table, by_table[table.pk], level_name=level_name)
        consolidated = ConsolidatedTable(table=table, layout=layout, rows=[])
        leaves = [c for c in layout.leaves if c.col_type != ColumnType.PERCENT]
        percents = [c for c in layout.leaves if c.col_type == ColumnType.PERCENT]
        for row in rows:
            if table.code not in table_codes.get(child_template[row.unit.pk], ()):
                continue
            view = _row_view(row)
            version = row.version
            if version is None:
                view.values = dict.fromkeys((c.pk for c in leaves), None)
            elif table.source == TableSource.MODELS:
                view.values = {
                    c.pk: _count_models(version.models_data, c.source_key)
                    for c in leaves
                }
            else:
                found = values.get(version.pk, {})
                view.values = {c.pk: found.get(c.pk) for c in leaves}
                view.notes = {
                    pk: note
                    for pk, note in notes.get(version.pk, {}).items()
                    if pk in view.values
                }
            for column in percents:
                view.values[column.pk] = percent(
                    view.values.get(column.numerator_id),
                    view.values.get(column.denominator_id),
                )
            consolidated.rows.append(view)
        consolidated.total = _totals(consolidated.rows, layout.leaves)
        result.tables.append(consolidated)
    return result


def _read_cells(version_ids, column_map, types):
    """Each version's values and notes, keyed by the parent's column ids.

    The one query that grows with the data is read straight from the cursor and
    converted by column type here: the ORM's per-row conversion would cost many
    times the database's work. Documents are JSON, decoded only when present.
    """
    values = {}
    notes = {}
    if not version_ids:
        return values, notes
    query = (
        VersionCell.objects.filter(version_id__in=version_ids)
        .annotate(docs_text=Cast("docs", TextField()))
        .values_list(
            "version_id",
            "column_id",
            "num",
            "text",
            "flag",
            "docs_text",
            "no_data",
            "note",
        )
        .query
    )
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    for version_id, column_id, num, text, flag, docs, no_data, note in fetched:
        target = column_map.get(column_id)
        if target is None:
            continue
        if note:
            notes.setdefault(version_id, {})[target] = note
        if no_data:
            continue
        col_type = types[target]
        if col_type == ColumnType.YES_NO:
            value = None if flag is None else bool(flag)
        elif col_type == ColumnType.DOCUMENTS:
            value = json.loads(docs) if docs and docs != "[]" else []
        elif col_type == ColumnType.TEXT:
            value = text or ""
        else:
            value = _decimal(num)
        values.setdefault(version_id, {})[target] = value
    return values, notes


def _decimal(value):
    if value is None or isinstance(value, Decimal):
        return value
    # SQLite hands back int or float; a float's shortest repr is the stored value.
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def _approved(reports):
    return [r for r in reports.values() if r.approved_version_id]


def _template_for_type(templates, unit_type):
    for template in templates:
        if unit_type in template.unit_types:
            return template
    return None


def _row_view(row):
    # Each table gets its own row objects (values differ per table); the unit,
    # report and version are shared.
    return ConsolidatedRow(
        unit=row.unit, report=row.report, version=row.version, source=row.source
    )


def _count_models(models_data, key):
    if key == "*":
        return Decimal(len(models_data))
    return Decimal(sum(1 for model in models_data if model.get("content_area") == key))


def _totals(rows, leaves):
    total = {}
    for column in leaves:
        values = [row.values.get(column.pk) for row in rows]
        present = [value for value in values if value is not None]
        match column.col_type:
            case ColumnType.PERCENT:
                continue
            case ColumnType.YES_NO:
                total[column.pk] = sum(1 for value in present if value is True)
            case ColumnType.DOCUMENTS:
                total[column.pk] = sum(len(value) for value in present)
            case ColumnType.TEXT:
                total[column.pk] = "\n".join(
                    f"{row.unit.name}: {row.values[column.pk]}"
                    for row in rows
                    if row.values.get(column.pk)
                )
            case _:
                total[column.pk] = sum(present, Decimal(0)) if present else None
    for column in leaves:
        if column.col_type == ColumnType.PERCENT:
            total[column.pk] = percent(
                total.get(column.numerator_id), total.get(column.denominator_id)
            )
    return total
