"""Cleaning typed text: one Unicode form (NFC) and no invisible characters."""

import re
import unicodedata

# Zero-width space, non-joiner, joiner, word joiner, byte order mark, soft hyphen.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Word's soft line break (vertical tab), form feed, next line, Unicode line and
# paragraph separators: line breaks as typed, not characters to drop.
LINE_BREAKS = re.compile("[\v\f\x85\u2028\u2029]")


def clean_text(value):
    """``value`` in NFC, without zero-width characters, stripped.

    Vietnamese typed on some keyboards (and pasted from some PDFs) arrives
    decomposed (NFD): "Tân" as "Ta" + U+0302 + "n". Stored as NFC, it matches
    what others type.
    """
    return INVISIBLE.sub("", unicodedata.normalize("NFC", value)).strip()


# Unicode's control characters (category Cc: U+0000–001F, U+007F–009F) but tab
# and line breaks.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(value):
    """True when ``value`` holds a control character (NUL, escape, …) other
    than tab and line breaks."""
    return CONTROL.search(value) is not None


def clean_query(value, max_length=200):
    """A search box's text: cleaned, without control characters (PostgreSQL
    refuses NUL), and cut to ``max_length``."""
    value = "".join(ch for ch in clean_text(value) if unicodedata.category(ch) != "Cc")
    return value[:max_length]


def clean_typed(value):
    """Text typed into a report: NFC, no invisible or control characters (tab
    and line breaks kept). Not stripped: autosave sends text mid-typing.

    Word's soft line break (vertical tab), a page break (form feed) and the
    other line separators become a line break: the person meant a new line."""
    value = INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    value = LINE_BREAKS.sub("\n", value)
    return CONTROL.sub("", value)


def clean_form_text(value):
    """Text a person typed into a form field: cleaned like typed text, and
    stripped (a form is sent once, not mid-typing)."""
    return clean_typed(value).strip()


def printable(value):
    """``value`` as it may go into an Excel or PDF file: cleaned like typed
    text. Every text written to a document passes here, so text stored before
    the forms cleaned it cannot break an export (openpyxl refuses control
    characters). Anything that is not text is returned as it is."""
    return clean_typed(value) if isinstance(value, str) else value
