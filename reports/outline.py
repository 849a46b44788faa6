"""Reading the outline spec into templates, and walking a table's header tree."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import (
    AppendixTable,
    Campaign,
    ReportTemplate,
    Round,
    Section,
    TableColumn,
)
from .quality import rules as quality_rules


@transaction.atomic
def load_spec(spec):
    """Create (or return) the campaign, round and templates a spec describes.

    Templates that already exist for the round are left alone: the spec seeds, the
    administrator edits from then on.
    """
    campaign, _ = Campaign.objects.get_or_create(
        code=spec["campaign"]["code"], defaults={"name": spec["campaign"]["name"]}
    )
    round_spec = dict(spec["round"])
    plan_date = round_spec.pop("plan_date", None)
    round_, _ = Round.objects.get_or_create(
        code=round_spec.pop("code"),
        defaults={
            **round_spec,
            "campaign": campaign,
            "plan_date": dt.date.fromisoformat(plan_date) if plan_date else None,
        },
    )
    for template_spec in spec["templates"]:
        if not ReportTemplate.objects.filter(
            round=round_, code=template_spec["code"]
        ).exists():
            create_template(round_, template_spec)
    return round_


def create_template(round_, spec):
    template = ReportTemplate.objects.create(
        round=round_,
        code=spec["code"],
        name=spec["name"],
        unit_types=spec.get("unit_types", []),
        subject=spec.get("subject", ""),
        min_models=spec.get("min_models", 0),
        tables_required=spec.get("tables_required", True),
        requires_signed_scan=spec.get("requires_signed_scan", False),
        requires_written_report=spec.get("requires_written_report", False),
    )
    counter = iter(range(1, 10_000))
    sections_required = spec.get("sections_required", True)

    def add_sections(items, parent):
        for item in items:
            section = Section.objects.create(
                template=template,
                parent=parent,
                code=item["code"],
                order=next(counter),
                title=item["title"],
                guidance=item.get("guidance", ""),
                shape=item.get("shape", "narrative"),
                required=item.get("required", True) and sections_required,
            )
            add_sections(item.get("children", []), section)

    add_sections(spec.get("sections", []), None)
    for order, table_spec in enumerate(spec.get("tables", []), start=1):
        table = AppendixTable.objects.create(
            template=template,
            code=table_spec["code"],
            order=order,
            title=table_spec["title"],
            note=table_spec.get("note", ""),
            source=table_spec.get("source", "entered"),
        )
        _add_columns(table, table_spec["columns"])
        quality_rules.create_rules(table, table_spec.get("rules", []))
    quality_rules.check_template(template)
    return template


def _add_columns(table, column_specs):
    counter = iter(range(1, 10_000))
    by_code = {}
    percents = []

    def add(items, parent):
        for item in items:
            is_percent = item.get("type") == "percent"
            column = TableColumn.objects.create(
                table=table,
                parent=parent,
                code=item["code"],
                order=next(counter),
                label=item["label"],
                note=item.get("note", ""),
                # A percentage gets its type together with its parts below: the
                # check constraint wants both parts whenever the type is set.
                col_type="" if is_percent else item.get("type", ""),
                unit_label=item.get("unit", ""),
                source_key=item.get("source_key", ""),
                required=item.get("required", not is_percent),
            )
            by_code[item["code"]] = column
            if is_percent:
                percents.append((column, item))
            add(item.get("children", []), column)

    add(column_specs, None)
    for column, item in percents:
        column.col_type = "percent"
        column.numerator = by_code[item["numerator"]]
        column.denominator = by_code[item["denominator"]]
        column.save(update_fields=["col_type", "numerator", "denominator"])


def template_for_unit(round_, unit):
    """The current template of ``round_`` that ``unit``'s type answers, or None."""
    for template in ReportTemplate.objects.filter(round=round_, is_current=True):
        if unit.unit_type in template.unit_types:
            return template
    return None


# --- Header tree -----------------------------------------------------------------


@dataclass
class HeaderCell:
    column: TableColumn
    label: str
    note: str
    colspan: int
    rowspan: int


@dataclass
class TableLayout:
    """A table's header as printed: rows of spanning cells, and its leaf columns."""

    table: AppendixTable
    rows: list
    leaves: list

    @property
    def depth(self):
        return len(self.rows)


def table_layout(table, columns=None, level_name=""):
    """Header rows with row/column spans from the column tree, and the leaves.

    ``columns`` may be passed pre-fetched (all columns of the table) to avoid a
    query per table.
    """
    if columns is None:
        columns = list(table.columns.all())
    children = {}
    for column in sorted(columns, key=lambda c: c.order):
        children.setdefault(column.parent_id, []).append(column)

    def depth(column):
        kids = children.get(column.pk, [])
        return 1 + (max(depth(kid) for kid in kids) if kids else 0)

    roots = children.get(None, [])
    total_depth = max((depth(root) for root in roots), default=0)
    rows = [[] for _ in range(total_depth)]
    leaves = []

    def width(column):
        kids = children.get(column.pk, [])
        return sum(width(kid) for kid in kids) if kids else 1

    def place(column, row):
        kids = children.get(column.pk, [])
        rowspan = 1 if kids else total_depth - row
        rows[row].append(
            HeaderCell(
                column=column,
                label=column.label_for(level_name),
                note=column.note,
                colspan=width(column),
                rowspan=rowspan,
            )
        )
        if kids:
            for kid in kids:
                place(kid, row + 1)
        else:
            leaves.append(column)

    for root in roots:
        place(root, 0)
    return TableLayout(table=table, rows=rows, leaves=leaves)


def freeze_template(template):
    """Mark ``template`` as used by a submitted report; edits then need a copy.

    Raises ``BrokenRules`` if a quality rule of the template cannot be evaluated.
    """
    if template.frozen_at is None:
        quality_rules.check_template(template)
        ReportTemplate.objects.filter(pk=template.pk, frozen_at__isnull=True).update(
            frozen_at=timezone.now()
        )
        template.refresh_from_db(fields=["frozen_at"])


@transaction.atomic
def copy_template(template, *, round_=None):
    """A new, editable version of ``template`` (frozen or not) in ``round_``
    (default: its own round); it becomes that round's current one for its code.

    "Current" is per round: copying into another round leaves every template of
    the source round as it was. Sections, tables and columns are copied
    (percentage columns keep their parts); reports already made keep the
    template they were made from.
    """
    target = round_ or template.round
    latest = (
        ReportTemplate.objects.filter(round=target, code=template.code)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    # One current template per round and unit type: the copy takes over the
    # target round's current templates of its code or of any of its types.
    types = set(template.unit_types)
    replaced = [
        other.pk
        for other in ReportTemplate.objects.filter(round=target, is_current=True)
        if other.code == template.code or types & set(other.unit_types)
    ]
    ReportTemplate.objects.filter(pk__in=replaced).update(is_current=False)
    copy = ReportTemplate.objects.get(pk=template.pk)
    copy.pk = None
    copy.round = target
    copy.version = (latest or 0) + 1
    copy.is_current = True
    copy.frozen_at = None
    copy.previous = template
    copy.save()

    sections = {}
    all_sections = list(template.sections.all())
    for section in sorted(all_sections, key=_tree_order(all_sections)):
        old_pk, old_parent = section.pk, section.parent_id
        section.pk = None
        section.template = copy
        section.parent = sections.get(old_parent)
        section.save()
        sections[old_pk] = section

    for table in template.tables.order_by("order"):
        columns = list(table.columns.order_by("order"))
        old_table_pk = table.pk
        table.pk = None
        table.template = copy
        table.save()
        new_columns = {}
        percents = []
        for column in sorted(columns, key=_tree_order(columns)):
            old_pk = column.pk
            parts = (column.numerator_id, column.denominator_id)
            is_percent = column.col_type == "percent"
            column.pk = None
            column.table = table
            column.parent = new_columns.get(column.parent_id)
            column.numerator = column.denominator = None
            if is_percent:
                column.col_type = ""
                percents.append((column, parts))
            column.save()
            new_columns[old_pk] = column
        for column, (numerator, denominator) in percents:
            column.col_type = "percent"
            column.numerator = new_columns[numerator]
            column.denominator = new_columns[denominator]
            column.save(update_fields=["col_type", "numerator", "denominator"])
        quality_rules.copy_rules(old_table_pk, table)
    return copy


def _tree_order(nodes):
    """Sort key putting every section or column after its parent."""
    by_id = {c.pk: c for c in nodes}

    def depth(column):
        n, parent = 0, by_id.get(column.parent_id)
        while parent is not None:
            n, parent = n + 1, by_id.get(parent.parent_id)
        return n

    return lambda c: (depth(c), c.order)
