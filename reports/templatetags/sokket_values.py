"""Template filters printing numbers and dates the Vietnamese way (``cells``)."""

from django import template

from .. import cells

register = template.Library()


@register.filter
def vn_number(value):
    """{{ value|vn_number }} -> 1.234.567,5: every decimal it holds, none added."""
    return cells.format_number(value)


@register.filter
def vn_date(value):
    return cells.format_date(value)
