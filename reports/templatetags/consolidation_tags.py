"""Showing consolidated values: vi-VN numbers, per-type cells, links to versions."""

from decimal import Decimal

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def vi_number(value):
    """1234567.5000 -> "1.234.567,5": grouped, no trailing zeros."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    else:
        value = value.normalize()
    return number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def cell_value(values, column, total=False):
    """A row's (or the total's) value for ``column``, as text for the screen."""
    value = values.get(column.pk) if values else None
    if value is None:
        return ""
    match column.col_type:
        case "yes_no" if not total:
            return _("Có") if value else _("Không")
        case "documents" if not total:
            return "; ".join(
                " ".join(
                    part
                    for part in (doc.get("kind", ""), doc.get("number", ""))
                    if part
                )
                for doc in value
            )
        case "text":
            return value
        case "yes_no" | "documents":
            return vi_number(value)
        case _:
            return vi_number(value)


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
