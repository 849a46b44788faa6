"""Reading reports for review: the reviewer's list and a version laid out as a page."""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from . import cells as cell_contract
from . import permissions
from .diff import cells_as_dicts
from .models import (
    ColumnType,
    ReopenStatus,
    ReportStatus,
    ReviewComment,
    TableColumn,
    TableSource,
)
from .outline import table_layout

# Status filters of the review list, in the order of the chips; "" = all.
STATUS_FILTERS = [
    ReportStatus.SUBMITTED,
    ReportStatus.RETURNED,
    ReportStatus.APPROVED,
    ReportStatus.REOPENED,
    ReportStatus.DRAFT,
]


def reports_to_review(user, round_):
    """Reports of the units ``user`` reviews (their subtree, not their own unit)."""
    return permissions.reports_visible_to(user).filter(
        round=round_, unit__in=permissions.reviewable_units(user)
    )


def for_list(reports):
    """With what a row of the list shows: latest version, pending reopen request."""
    return (
        reports.select_related("unit__level", "unit__parent")
        .annotate(
            latest_number=Max("versions__number"),
            pending_reopen=Count(
                "reopen_requests",
                filter=Q(reopen_requests__status=ReopenStatus.PENDING),
                distinct=True,
            ),
        )
        .order_by("unit__path")
    )


def status_counts(reports):
    counts = dict(reports.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in STATUS_FILTERS}


@dataclass
class SheetSection:
    section: object
    answer: dict
    comments: list


@dataclass
class SheetCell:
    column: object
    label: str
    value: str
    comments: list


@dataclass
class SheetTable:
    table: object
    layout: object
    cells: list
    comments: list = field(default_factory=list)


@dataclass
class Sheet:
    """A submitted version as the review page prints it, comments pinned."""

    version: object
    sections: list
    tables: list
    models: list
    attachments: list
    comments: list


def column_label(column, by_id, level_name):
    """A leaf's label with its group labels ("Nhà Đại đoàn kết – Số căn")."""
    labels = []
    while column is not None:
        labels.append(column.label_for(level_name))
        column = by_id.get(column.parent_id)
    return " – ".join(reversed(labels))


def report_comments(report):
    """All review comments of ``report``, each cell comment with its full label."""
    comments = list(
        ReviewComment.objects.filter(report=report).select_related(
            "author", "responded_by", "column__table", "version", "event"
        )
    )
    if any(c.column_id for c in comments):
        tables = {c.column.table_id for c in comments if c.column_id}
        by_id = {c.pk: c for c in TableColumn.objects.filter(table__in=tables)}
        for comment in comments:
            if comment.column_id:
                comment.column_label = column_label(
                    comment.column, by_id, report.unit.level.name
                )
    return comments


def version_sheet(report, version, comments):
    """Sections with answers, tables as printed grids, models and attachments."""
    level_name = report.unit.level.name
    by_section, by_column = {}, {}
    for comment in comments:
        if comment.column_id:
            by_column.setdefault(comment.column_id, []).append(comment)
        else:
            by_section.setdefault(comment.section_code, []).append(comment)
    sections = [
        SheetSection(s, version.answers.get(s.code) or {}, by_section.get(s.code, []))
        for s in version.template.sections.all()
    ]
    cells = cells_as_dicts(version.cells.all())
    tables = []
    for table in version.template.tables.prefetch_related("columns"):
        columns = list(table.columns.all())
        by_id = {c.pk: c for c in columns}
        layout = table_layout(table, columns, level_name=level_name)
        row = []
        for column in layout.leaves:
            if table.source == TableSource.MODELS:
                computed = cell_contract.model_count(version.models_data, column)
            elif column.col_type == ColumnType.PERCENT:
                computed = cell_contract.percent_of(column, cells)
            else:
                computed = None
            value = cell_contract.display(
                cells.get(column.pk), column.col_type, computed=computed
            )
            row.append(
                SheetCell(
                    column,
                    column_label(column, by_id, level_name),
                    value,
                    by_column.get(column.pk, []),
                )
            )
        table_comments = [c for cell in row for c in cell.comments]
        tables.append(SheetTable(table, layout, row, table_comments))
    return Sheet(
        version=version,
        sections=sections,
        tables=tables,
        models=version.models_data,
        attachments=version.attachments,
        comments=by_section.get("", []),
    )
