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
    # A dash or other mark is no word: "2016 - 2020" stays whole.
    at, seen = len(words), 0
    while at > 0 and seen < count:
        at -= 1
        seen += any(ch.isalnum() for ch in words[at])
    if at == 0:
        return conditional_escape(text)
    head = conditional_escape(" ".join(words[:at]))
    tail = " ".join(words[at:])
    return mark_safe(f"{head} ") + format_html('<span class="nowrap">{}</span>', tail)


@register.filter
def css_string(text):
    """``text`` inside a CSS string: backslashes, quotes and line breaks escaped,
    and no "<" that could close the style element."""
    text = str(text or "").replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\n", " ").replace("<", "\\3c ")
    return mark_safe(text)
