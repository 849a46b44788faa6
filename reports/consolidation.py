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

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import (
    AppendixTable,
    ColumnType,
    Level,
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
    # ids of numeric columns whose total leaves out a row (no report, or a
    # cell marked "không có số liệu"): printed as partial.
    partial: set = field(default_factory=set)


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

    Runs a fixed number of queries whatever the number of children: one for the
    children with their reports and versions and the round's templates, one for
    the cells, and two more for the tables and columns of a template not yet
    cached (see ``_structures``). Rows hold real model instances carrying the
    fields the callers read; the others (dates, big JSON) are deferred.
    """
    rows, templates = _child_rows(parent, round_, include_submitted)
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
    level_name = rows[0].unit.level.name if rows else ""
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
    child_template = []
    for row in rows:
        if row.version is not None:
            child_template.append(row.version.template_id)
        else:
            found = _template_for_type(current, row.unit.unit_type)
            child_template.append(found.pk if found else None)
    structures = _structures(
        [templates[pk] for pk in {template.pk, *child_template} if pk is not None]
    )
    own = structures[template.pk]
    mappings = {
        pk: own.mapping(structures[pk])
        for pk in {row.version.template_id for row in rows if row.version is not None}
    }
    values, notes = _read_cells(
        [row.version.pk for row in rows if row.version is not None],
        mappings.values(),
    )

    # Per child: its row, the tables its template has, and how its version's
    # cells map onto the parent's columns (None without a version).
    children = []
    for row, pk in zip(rows, child_template, strict=True):
        version = row.version
        children.append(
            (
                row,
                structures[pk].table_codes if pk is not None else (),
                None if version is None else mappings[version.template_id].keys,
                None if version is None else values.get(version.id, {}),
                None if version is None else notes.get(version.id),
            )
        )
    for plan in own.plans(level_name):
        table = ConsolidatedTable(table=plan.table, layout=plan.layout, rows=[])
        append = table.rows.append
        pks, code, table_id, percents = (
            plan.pks,
            plan.code,
            plan.table_id,
            plan.percents,
        )
        for row, codes, keys, found, found_notes in children:
            if code not in codes:
                continue
            version = row.version
            row_notes = {}
            if version is None:
                row_values = dict.fromkeys(pks)
            elif plan.models:
                data = version.models_data
                row_values = (
                    {pk: _count_models(data, key) for pk, key in plan.model_keys}
                    if data
                    else dict.fromkeys(pks, _ZERO)
                )
            else:
                keys = keys[table_id]
                row_values = dict(zip(keys, map(found.get, keys.values()), strict=True))
                if found_notes:
                    row_notes = {pk: found_notes[pk] for pk in pks if pk in found_notes}
            for pk, numerator, denominator in percents:
                row_values[pk] = _percent(
                    row_values.get(numerator), row_values.get(denominator)
                )
            append(
                ConsolidatedRow(
                    row.unit, row.report, version, row.source, row_values, row_notes
                )
            )
        table.total = _totals(table.rows, plan)
        result.tables.append(table)
    return result


# --- Children, reports and versions: one query ----------------------------------

# Fields read into the row's model instances, in each model's field order; the
# others are deferred (loaded on first access, as with ``QuerySet.only``).
_UNIT_FIELDS = (
    "id",
    "code",
    "name",
    "unit_type",
    "level_id",
    "parent_id",
    "path",
    "depth",
)
_LEVEL_FIELDS = ("id", "code", "name", "order")
_REPORT_FIELDS = (
    "id",
    "unit_id",
    "round_id",
    "template_id",
    "status",
    "revision",
    "approved_version_id",
)
# models_data comes last, as JSON text.
_VERSION_FIELDS = ("id", "report_id", "number", "template_id", "created_by_id")


def _maker(model, names, db):
    # Connecting or disconnecting an init receiver changes the key.
    return _cached_maker(
        model, names, db, len(pre_init.receivers), len(post_init.receivers)
    )


@functools.lru_cache(maxsize=64)
def _cached_maker(model, names, db, _pre_receivers, _post_receivers):
    """A function making instances of ``model`` from the values of the fields
    ``names`` (in that order) and keyword values, as ``QuerySet.only`` gives
    them (the other fields deferred, loaded on first access).

    Made without ``Model.__init__``, whose per-field work would be most of this
    module's time; a model with init signal receivers goes the ordinary way.
    """
    if pre_init.has_listeners(model) or post_init.has_listeners(model):

        def slow(values, **more):
            return model.from_db(db, (*names, *more), (*values, *more.values()))

        return slow

    new = model.__new__

    def make(values, **more):
        instance = new(model)
        state = ModelState()
        state.adding = False
        state.db = db
        attributes = instance.__dict__
        attributes.update(zip(names, values, strict=True))
        attributes.update(more)
        attributes["_state"] = state
        return instance

    return make


def _columns(alias, model, names):
    """``alias."column", ...`` for the fields ``names`` of ``model``."""
    return _quoted_columns(connection.vendor, alias, model, names)


@functools.cache
def _quoted_columns(vendor, alias, model, names):
    return ", ".join(
        f"{alias}.{connection.ops.quote_name(model._meta.get_field(name).column)}"
        for name in names
    )


@functools.cache
def _child_rows_sql(vendor, include_submitted):
    version_table = ReportVersion._meta.db_table
    chosen = "r.approved_version_id"
    if include_submitted:
        # The latest version of a submitted report, else the approved one.
        chosen = f"""COALESCE(CASE WHEN r.status = %s THEN (
            SELECT w.id FROM {version_table} w WHERE w.report_id = r.id
            ORDER BY w.number DESC LIMIT 1) END, r.approved_version_id)"""
    select = ", ".join(
        (
            _columns("u", Unit, _UNIT_FIELDS),
            _columns("l", Level, _LEVEL_FIELDS),
            _columns("r", Report, _REPORT_FIELDS),
            _columns("v", ReportVersion, (*_VERSION_FIELDS, "models_data")),
        )
    )
    width = (
        len(_UNIT_FIELDS)
        + len(_LEVEL_FIELDS)
        + len(_REPORT_FIELDS)
        + len(_VERSION_FIELDS)
        + 1
    )
    # The round's templates come along (as JSON, in a column of their own):
    # one round trip instead of two.
    return f"""
        SELECT {select}, CAST(NULL AS TEXT)
        FROM {Unit._meta.db_table} u
        JOIN {Level._meta.db_table} l ON l.id = u.level_id
        LEFT JOIN {Report._meta.db_table} r
          ON r.unit_id = u.id AND r.round_id = %s
        LEFT JOIN {version_table} v ON v.id = {chosen}
        WHERE u.parent_id = %s AND u.is_active
        UNION ALL
        SELECT {", ".join(["NULL"] * width)}, {_template_json()}
        FROM {ReportTemplate._meta.db_table} t
        WHERE t.round_id = %s
        ORDER BY {_UNIT_FIELDS.index("path") + 1}
    """  # noqa: S608 (names from the models, values as parameters)


def _child_rows(parent, round_, include_submitted):
    """One ``ConsolidatedRow`` per active child of ``parent``, ordered by path."""
    params = [round_.pk]
    if include_submitted:
        params.append(ReportStatus.SUBMITTED)
    params += [parent.pk, round_.pk]
    sql = _child_rows_sql(connection.vendor, include_submitted)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    templates = _templates([record[-1] for record in fetched if record[-1] is not None])
    fetched = [record for record in fetched if record[-1] is None]
    db = connection.alias
    make_unit, make_level, make_report, make_version = (
        _maker(model, names, db)
        for model, names in (
            (Unit, _UNIT_FIELDS),
            (Level, _LEVEL_FIELDS),
            (Report, _REPORT_FIELDS),
            (ReportVersion, _VERSION_FIELDS),
        )
    )
    at_level = len(_UNIT_FIELDS)
    at_report = at_level + len(_LEVEL_FIELDS)
    at_version = at_report + len(_REPORT_FIELDS)
    levels = {}
    rows = []
    for record in fetched:
        # Only active units are selected: is_active is not read back.
        unit = make_unit(record[:at_level], is_active=True)
        level = levels.get(record[at_level])
        if level is None:
            level = levels[record[at_level]] = make_level(record[at_level:at_report])
        unit._state.fields_cache = {"level": level}
        report = version = None
        source = SOURCE_MISSING
        if record[at_report] is not None:
            report = make_report(record[at_report:at_version])
            report._state.fields_cache = {"unit": unit}
        if record[at_version] is not None:
            version = make_version(record[at_version:-2], models_data=_json(record[-2]))
            version._state.fields_cache = {"report": report}
            if version.id == report.approved_version_id:
                source = SOURCE_APPROVED
                report._state.fields_cache["approved_version"] = version
            else:
                source = SOURCE_SUBMITTED
        rows.append(ConsolidatedRow(unit, report, version, source))
    used = {row.version.template_id for row in rows if row.version is not None}
    if not used <= templates.keys():
        # A version made from another round's template (not expected).
        templates.update(_templates_by_id(used - templates.keys()))
    return rows, templates


def _json(value):
    # psycopg hands JSON over as text to Django (which decodes it); so does SQLite.
    if value == "[]":
        return []
    return json.loads(value) if isinstance(value, str | bytes) else value


# --- Templates: one query --------------------------------------------------------

_TEMPLATE_FIELDS = (
    "id",
    "round_id",
    "code",
    "name",
    "version",
    "is_current",
    "unit_types",
    "subject",
    "min_models",
    "tables_required",
    "requires_signed_scan",
    "requires_written_report",
    "frozen_at",
    "previous_id",
)
_TEMPLATE_BOOLEANS = tuple(
    i
    for i, name in enumerate(_TEMPLATE_FIELDS)
    if name
    in (
        "is_current",
        "tables_required",
        "requires_signed_scan",
        "requires_written_report",
    )
)


def _template_json():
    return _template_json_for(connection.vendor)


@functools.cache
def _template_json_for(vendor):
    names = ", ".join(
        f"json(t.{name})"
        if name == "unit_types" and connection.vendor == "sqlite"
        else f"t.{connection.ops.quote_name(name)}"
        for name in (
            ReportTemplate._meta.get_field(field).column for field in _TEMPLATE_FIELDS
        )
    )
    if vendor == "postgresql":
        return f"CAST(json_build_array({names}) AS TEXT)"
    return f"json_array({names})"


def _templates(records):
    """Templates by id from their JSON rows (see ``_template_json``)."""
    templates = {}
    make = _maker(ReportTemplate, _TEMPLATE_FIELDS, connection.alias)
    for record in records:
        values = list(_template_values(record))
        values[6] = list(values[6])  # unit_types: each instance its own list
        template = make(values)
        templates[template.pk] = template
    return templates


@functools.lru_cache(maxsize=256)
def _template_values(record):
    # A pure function of the row's text (memoised: a template row rarely
    # changes); the instance made from it is new each time.
    values = json.loads(record)
    for i in _TEMPLATE_BOOLEANS:
        values[i] = bool(values[i])
    values[12] = _datetime(values[12])
    return tuple(values)


def _templates_by_id(ids):
    return {
        template.pk: template for template in ReportTemplate.objects.filter(pk__in=ids)
    }


def _datetime(value):
    # SQLite hands datetimes back as text (in UTC); PostgreSQL as aware datetimes.
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


# --- Tables and columns of a template, cached while the template is frozen -------


@dataclass
class _TablePlan:
    """One table of the parent's template as consolidation fills it."""

    table: AppendixTable
    table_id: int
    layout: TableLayout
    code: str
    models: bool
    # Leaves holding values (not percentages), and their ids in order.
    leaves: list
    pks: tuple
    # (column id, numerator id, denominator id) of each percentage leaf.
    percents: tuple
    # (column id, content area key) of a models table's leaves.
    model_keys: tuple


class _Structure:
    """A template's tables and columns, and what consolidation derives from them.

    A frozen template cannot change (the admin refuses edits; a new version is
    a copy), so its structure is kept by (id, frozen_at) for the process's
    life; a template still being edited is read afresh each time.
    """

    def __init__(self, template, tables, columns):
        self.key = (template.pk, template.frozen_at) if template.frozen_at else None
        self.tables = tables
        self.columns = columns
        self.table_codes = frozenset(table.code for table in tables)
        code_of = {table.pk: table.code for table in tables}
        self.keys = {
            (code_of[column.table_id], column.code): column.pk
            for table_columns in columns.values()
            for column in table_columns
        }
        self._plans = {}
        self._maps = {}

    def plans(self, level_name):
        if level_name not in self._plans:
            self._plans[level_name] = [self._plan(t, level_name) for t in self.tables]
        return self._plans[level_name]

    def _plan(self, table, level_name):
        layout = table_layout(table, self.columns[table.pk], level_name=level_name)
        leaves = [c for c in layout.leaves if c.col_type != ColumnType.PERCENT]
        return _TablePlan(
            table=table,
            table_id=table.pk,
            layout=layout,
            code=table.code,
            models=table.source == TableSource.MODELS,
            leaves=leaves,
            pks=tuple(c.pk for c in leaves),
            percents=tuple(
                (c.pk, c.numerator_id, c.denominator_id)
                for c in layout.leaves
                if c.col_type == ColumnType.PERCENT
            ),
            model_keys=tuple((c.pk, c.source_key) for c in leaves),
        )

    def mapping(self, child):
        """How the cells of a version made from ``child`` fill this template's
        tables: a child column maps to this template's column of the same
        (table code, column code). Only the value leaves of tables filled from
        cells (a models table counts the version's models; percentages are
        recomputed)."""
        cache_key = child.key if self.key else None
        if cache_key is not None and cache_key in self._maps:
            return self._maps[cache_key]
        mapping = _Mapping()
        for plan in self.plans(""):
            if plan.models:
                continue
            keys = mapping.keys[plan.table_id] = dict.fromkeys(plan.pks)
            for column in plan.leaves:
                kind = _KINDS.get(column.col_type)
                child_id = child.keys.get((plan.code, column.code))
                if kind is None or child_id is None:
                    continue
                keys[column.pk] = str(child_id)
                mapping.kinds[kind].append(child_id)
                mapping.targets[str(child_id)] = column.pk
        if cache_key is not None:
            self._maps[cache_key] = mapping
        return mapping


@dataclass
class _Mapping:
    """A child template's columns as the cells query and the rows read them."""

    # Child column ids by kind (the parent column's type decides).
    kinds: tuple = field(default_factory=lambda: ([], [], [], []))
    # Child column id (as the JSON key the query returns) -> parent column id.
    targets: dict = field(default_factory=dict)
    # Parent table id -> {parent column id: child column key or None}.
    keys: dict = field(default_factory=dict)


_NUMBER, _FLAG, _DOCUMENTS, _TEXT = range(4)
_KINDS = {
    ColumnType.INTEGER: _NUMBER,
    ColumnType.MONEY: _NUMBER,
    ColumnType.AREA: _NUMBER,
    ColumnType.YES_NO: _FLAG,
    ColumnType.DOCUMENTS: _DOCUMENTS,
    ColumnType.TEXT: _TEXT,
}
_ZERO = Decimal(0)
_STRUCTURES = {}
_STRUCTURES_MAX = 64


def clear_template_cache():
    """Forget the cached tables of frozen templates (they are read again)."""
    _STRUCTURES.clear()


def _structures(templates):
    """Each template's ``_Structure`` by id: from the cache when frozen, else
    read with two queries (tables, columns) for all the templates missing."""
    found = {}
    missing = []
    for template in templates:
        cached = _STRUCTURES.get((template.pk, template.frozen_at))
        if cached is not None and template.frozen_at is not None:
            found[template.pk] = cached
        else:
            missing.append(template)
    if not missing:
        return found
    tables = {template.pk: [] for template in missing}
    columns = {}
    for table in AppendixTable.objects.filter(template__in=missing).order_by(
        "template_id", "order"
    ):
        tables[table.template_id].append(table)
        columns[table.pk] = []
    for column in TableColumn.objects.filter(table__template__in=missing).order_by(
        "order"
    ):
        columns[column.table_id].append(column)
    for template in missing:
        structure = _Structure(
            template,
            tables[template.pk],
            {t.pk: columns[t.pk] for t in tables[template.pk]},
        )
        found[template.pk] = structure
        if structure.key is not None:
            if len(_STRUCTURES) >= _STRUCTURES_MAX:
                _STRUCTURES.clear()
            _STRUCTURES[structure.key] = structure
    return found


# --- Cells: one query -------------------------------------------------------------


def _read_cells(version_ids, mappings):
    """Each version's values (keyed by its own column ids, as text) and notes
    (keyed by the parent's column ids).

    The database converts and groups: one row per version holding a JSON
    object of its values, typed by the parent's column type, and one of its
    notes. The values of all versions are then decoded in one go, numbers as
    ``Decimal``.
    """
    if not version_ids:
        return {}, {}
    kinds = ([], [], [], [])
    targets = {}
    for mapping in mappings:
        for ids, more in zip(kinds, mapping.kinds, strict=True):
            ids.extend(more)
        targets.update(mapping.targets)
    params = []

    def in_list(ids):
        params.extend(ids)
        return ", ".join(["%s"] * len(ids)) or "NULL"

    numbers, flags, documents = (in_list(kinds[i]) for i in range(3))
    versions = in_list(version_ids)
    if connection.vendor == "postgresql":
        values = f"""json_object_agg(c.column_id, CASE
            WHEN c.column_id IN ({numbers}) THEN to_json(c.num)
            WHEN c.column_id IN ({flags}) THEN to_json(c.flag)
            WHEN c.column_id IN ({documents}) THEN c.docs::json
            ELSE to_json(c.text) END) FILTER (WHERE NOT c.no_data)::text"""
        notes = "json_object_agg(c.column_id, c.note) FILTER (WHERE c.note <> '')::text"
    else:
        values = f"""json_group_object(c.column_id, CASE
            WHEN c.column_id IN ({numbers}) THEN c.num
            WHEN c.column_id IN ({flags}) THEN CASE WHEN c.flag IS NULL THEN NULL
                WHEN c.flag THEN json('true') ELSE json('false') END
            WHEN c.column_id IN ({documents}) THEN json(c.docs)
            ELSE c.text END) FILTER (WHERE NOT c.no_data)"""
        notes = "json_group_object(c.column_id, c.note) FILTER (WHERE c.note <> '')"
    sql = f"""
        SELECT c.version_id, {values}, {notes}
        FROM {VersionCell._meta.db_table} c
        WHERE c.version_id IN ({versions})
        GROUP BY c.version_id
    """  # noqa: S608 (names from the models, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    decoded = json.loads(
        f"[{','.join(row[1] or '{}' for row in fetched)}]",
        parse_float=Decimal,
        parse_int=Decimal,
    )
    values = {row[0]: found for row, found in zip(fetched, decoded, strict=True)}
    # Cells of columns the parent has not (no key maps to them) are not read.
    notes = {
        row[0]: {
            targets[key]: note
            for key, note in json.loads(row[2]).items()
            if key in targets
        }
        for row in fetched
        if row[2] and row[2] != "{}"
    }
    return values, notes


def _template_for_type(templates, unit_type):
    for template in templates:
        if unit_type in template.unit_types:
            return template
    return None


_CENT = Decimal("0.01")


def _percent(numerator, denominator):
    # ``values.percent`` without its conversions when both are already Decimal.
    if numerator is None or not denominator:
        return None
    if type(numerator) is Decimal and type(denominator) is Decimal:
        return (numerator * 100 / denominator).quantize(_CENT, ROUND_HALF_UP)
    return percent(numerator, denominator)


def _count_models(models_data, key):
    if key == "*":
        return Decimal(len(models_data))
    return Decimal(sum(1 for model in models_data if model.get("content_area") == key))


def _totals(rows, plan):
    total = {}
    values = [row.values for row in rows]
    for column in plan.leaves:
        pk = column.pk
        present = [value for found in values if (value := found[pk]) is not None]
        match column.col_type:
            case ColumnType.YES_NO:
                total[pk] = sum(1 for value in present if value is True)
            case ColumnType.DOCUMENTS:
                total[pk] = sum(map(len, present))
            case ColumnType.TEXT:
                total[pk] = "\n".join(
                    f"{row.unit.name}: {row.values[pk]}"
                    for row in rows
                    if row.values[pk]
                )
            case _:
                total[pk] = sum(present, _ZERO) if present else None
    for pk, numerator, denominator in plan.percents:
        total[pk] = percent(total.get(numerator), total.get(denominator))
    return total
