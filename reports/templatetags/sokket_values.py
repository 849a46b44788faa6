"""Template filters printing numbers and dates the Vietnamese way."""

from django import template

from ..values import format_date, format_number

register = template.Library()


@register.filter
def vn_number(value, places=None):
    """{{ value|vn_number }} -> 1.234.567,5; {{ value|vn_number:1 }} rounds."""
    return format_number(value, int(places) if places not in (None, "") else None)


@register.filter
def vn_date(value):
    return format_date(value)
