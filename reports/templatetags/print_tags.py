"""Filters of the print templates (PDF and the on-screen printed form)."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def keep_last_words(text, count=2):
    """The text with its last ``count`` words bound together, so no line of a
    title or subject is left with one word ("2020" alone)."""
    words = str(text or "").split(" ")
    if len(words) <= count:
        return conditional_escape(text)
    head = conditional_escape(" ".join(words[:-count]))
    tail = " ".join(words[-count:])
    return mark_safe(f"{head} ") + format_html('<span class="nowrap">{}</span>', tail)


@register.filter
def css_string(text):
    """``text`` inside a CSS string: backslashes, quotes and line breaks escaped,
    and no "<" that could close the style element."""
    text = str(text or "").replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\n", " ").replace("<", "\\3c ")
    return mark_safe(text)
