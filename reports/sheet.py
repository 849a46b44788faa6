"""A report laid out by its outline: sections and table grids, from a draft or a
submitted version. The editor, the read-only page and review pages share it.

Building a sheet costs a fixed number of queries whatever the size of the tables.
"""

from dataclasses import dataclass, field

from . import cells as cell_contract
from .completeness import cell_is_filled
from .models import (
    AnswerShape,
    AppendixTable,
    ColumnType,
    Section,
    TableColumn,
    TableSource,
)
from .outline import table_layout


@dataclass
class SectionView:
    section: Section
    depth: int
    text: str = ""
    shortcomings: str = ""
    revision: int = 0

    @property
    def code(self):
        return self.section.code

    @property
    def is_heading(self):
        return self.section.shape == AnswerShape.HEADING

    @property
    def has_limits(self):
        return self.section.shape == AnswerShape.ACHIEVED_LIMITS

    @property
    def is_filled(self):
        if not self.text.strip():
            return False
        return not self.has_limits or bool(self.shortcomings.strip())

    @property
    def is_empty(self):
        return not (self.text.strip() or self.shortcomings.strip())

    @property
    def part(self):
        return f"section:{self.section.code}"


@dataclass
class CellView:
    """One leaf column's value, ready for an input and for print."""

    column: TableColumn
    table_code: str
    num: object = None
    text: str = ""
    flag: bool | None = None
    docs: list = field(default_factory=list)
    no_data: bool = False
    note: str = ""
    filled: bool = False
    label: str = ""

    @property
    def anchor(self):
        return f"cell-{self.table_code}-{self.column.code}"

    @property
    def name(self):
        return f"c.{self.column.code}"

    @property
    def type(self):
        return self.column.col_type

    @property
    def input_value(self):
        """The number as typed back into an input, as the autosave answers it."""
        return cell_contract.input_text(self.num, self.type)

    @property
    def display(self):
        """The value as every page and file prints it."""
        computed = self.num if self.type == ColumnType.PERCENT else None
        return cell_contract.display(self, self.type, computed=computed)

    @property
    def doc_lines(self):
        return [cell_contract.document_line(doc) for doc in self.docs]

    @property
    def docs_display(self):
        return [
            {**doc, "date_display": cell_contract.format_date(doc.get("date"))}
            for doc in self.docs
        ]


@dataclass
class TableView:
    table: AppendixTable
    layout: object
    cells: list
    revision: int = 0

    @property
    def code(self):
        return self.table.code

    @property
    def part(self):
        return f"table:{self.table.code}"

    @property
    def is_models(self):
        return self.table.source == TableSource.MODELS

    @property
    def anchor(self):
        return f"table-{self.table.code}"

    @property
    def is_filled(self):
        return all(
            cell.filled
            for cell in self.cells
            if cell.column.required and cell.type != ColumnType.PERCENT
        )


@dataclass
class Sheet:
    sections: list
    tables: list
    header_revision: int = 0
    # Values typed and refused, kept on the server: {part: {input: {value, message}}}.
    refused: dict = field(default_factory=dict)

    @property
    def answerable(self):
        return [s for s in self.sections if not s.is_heading]


def outline_of(template):
    """Sections, tables and all their columns of ``template`` (three queries)."""
    sections = list(template.sections.all())
    tables = list(template.tables.all())
    columns = {}
    query = TableColumn.objects.filter(table__template=template).select_related(
        "numerator", "denominator"
    )
    for column in query.order_by("order"):
        columns.setdefault(column.table_id, []).append(column)
    return sections, tables, columns


def _depths(sections):
    by_id = {s.pk: s for s in sections}
    depths = {}
    for section in sections:
        depth, parent = 0, by_id.get(section.parent_id)
        while parent is not None:
            depth, parent = depth + 1, by_id.get(parent.parent_id)
        depths[section.pk] = depth
    return depths


def build_sheet(report, *, version=None):
    """The sheet of ``report``: its draft, or the given submitted ``version``."""
    template = version.template if version is not None else report.template
    sections, tables, columns = outline_of(template)
    level_name = report.unit.level.name
    revisions, refused = {}, {}
    if version is None:
        answers = {a.section_id: (a.text, a.shortcomings) for a in report.answers.all()}
        cells = {c.column_id: c for c in report.cells.all()}
        for key, revision, kept in report.draft_parts.values_list(
            "key", "revision", "refused"
        ):
            revisions[key] = revision
            if kept:
                refused[key] = kept
        models = list(report.models.values("content_area"))
    else:
        by_code = version.answers
        answers = {
            s.pk: (
                by_code.get(s.code, {}).get("text", ""),
                by_code.get(s.code, {}).get("shortcomings", ""),
            )
            for s in sections
        }
        cells = {c.column_id: c for c in version.cells.all()}
        models = version.models_data
    depths = _depths(sections)
    section_views = []
    for section in sections:
        text, shortcomings = answers.get(section.pk, ("", ""))
        section_views.append(
            SectionView(
                section=section,
                depth=depths[section.pk],
                text=text,
                shortcomings=shortcomings,
                revision=revisions.get(f"section:{section.code}", 0),
            )
        )
    table_views = []
    for table in tables:
        table_columns = columns.get(table.pk, [])
        layout = table_layout(table, table_columns, level_name=level_name)
        if table.source == TableSource.MODELS:
            views = _model_counts(table, layout.leaves, models)
        else:
            views = [_cell_view(table, column, cells) for column in layout.leaves]
        for view in views:
            view.label = view.column.label_for(level_name)
        _fill_percents(views)
        table_views.append(
            TableView(
                table=table,
                layout=layout,
                cells=views,
                revision=revisions.get(f"table:{table.code}", 0),
            )
        )
    return Sheet(
        sections=section_views,
        tables=table_views,
        header_revision=revisions.get("header", 0),
        refused=refused,
    )


def _cell_view(table, column, cells):
    cell = cells.get(column.pk)
    view = CellView(column=column, table_code=table.code)
    if cell is not None:
        view.num = cell.num
        view.text = cell.text
        view.flag = cell.flag
        view.docs = list(cell.docs or [])
        view.no_data = cell.no_data
        view.note = cell.note
        view.filled = cell_is_filled(cell, column)
    return view


def _fill_percents(views):
    by_id = {v.column.pk: v for v in views}
    for view in views:
        if view.type == ColumnType.PERCENT:
            view.num = cell_contract.percent_of(view.column, by_id)
            view.filled = True


def _model_counts(table, leaves, models):
    """Biểu 2: models per content area; a column keyed "*" (or none) is the total."""
    return [
        CellView(
            column=column,
            table_code=table.code,
            num=cell_contract.model_count(models, column),
            filled=True,
        )
        for column in leaves
    ]
