"""Showing consolidated values as every file prints them, and links to versions."""

from dataclasses import dataclass
from functools import partial

from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html_join

from .. import cells
from ..exports import data
from ..models import ColumnType

register = template.Library()


@register.filter
def vi_number(value):
    """1234567.5000 -> "1.234.567,5": grouped, every decimal, none added."""
    return cells.format_number(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@dataclass(frozen=True)
class PrintedCell:
    code: str
    text: str
    css: str


def row_cell(row, column):
    """A unit row's cell for ``column`` as printed ("Không có số liệu (…)" for
    a cell without data), with its class on the page."""
    note = data.no_data_note(row, column.pk)
    if note is not None:
        return PrintedCell(column.code, cells.no_data_text(note), "no-data")
    text = cells.display_value(row.values.get(column.pk))
    css = "" if column.col_type in (ColumnType.TEXT, ColumnType.DOCUMENTS) else "num"
    return PrintedCell(column.code, text, css)


@register.simple_tag
def row_cells(row, table):
    """The ``<td>`` of every cell of a unit row of ``table`` (a
    ``ConsolidatedTable``). Joined here rather than looped in the template: a
    page of the whole country prints thousands of cells."""
    code = table.table.code
    return format_html_join(
        "",
        '<td class="{}" data-cell="{}:{}">{}</td>',
        (
            (cell.css, code, cell.code, linebreaksbr(cell.text, autoescape=True))
            for cell in map(partial(row_cell, row), table.layout.leaves)
        ),
    )


@register.simple_tag
def total_cell(table, column):
    """The total of ``column``, marked when it leaves out rows."""
    return cells.total_text(
        table.total.get(column.pk), partial=column.pk in table.partial
    )


@register.simple_tag
def row_status(row):
    """ "Chưa có báo cáo" / "Đã nộp, chưa duyệt", as in the Excel and PDF."""
    return data.row_status(row)


@register.simple_tag
def partial_note():
    return cells.PARTIAL_NOTE


@register.simple_tag
def version_url(version):
    """The page of a submitted version, from whichever review page is installed."""
    if version is None:
        return ""
    try:
        return reverse("report_version", args=[version.report_id, version.number])
    except NoReverseMatch:
        pass
    try:
        url = reverse("report_detail", args=[version.report_id])
    except NoReverseMatch:
        return ""
    return f"{url}?phien-ban={version.number}"
