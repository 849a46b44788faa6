"""Showing consolidated values as every file prints them, and links to versions."""

from django import template
from django.urls import NoReverseMatch, reverse

from .. import cells
from ..exports import data

register = template.Library()


@register.filter
def vi_number(value):
    """1234567.5000 -> "1.234.567,5": grouped, every decimal, none added."""
    return cells.format_number(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def row_cell(row, column):
    """A unit row's value for ``column`` as printed ("Không có số liệu (…)"
    for a cell without data)."""
    note = data.no_data_note(row, column.pk)
    if note is not None:
        return cells.no_data_text(note)
    return cells.display_value(row.values.get(column.pk))


@register.simple_tag
def is_no_data(row, column):
    return data.no_data_note(row, column.pk) is not None


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
