"""The one cell contract: how a figure of each column type is typed, checked,
computed ("no data" aware) and printed.

Every page, the diff, the consolidation, the Excel import and every export ask
this module; nothing else parses or formats a figure. A value prints with the
decimals it was entered with (never rounded on its way to a screen or a file);
percentages are computed here, to two places, from their parts.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import (
    NumberFormatError,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import ColumnType

LOCALE = "vi"
# Decimal places a column type holds. Money is in millions of đồng (three places
# reach thousands of đồng), areas in m², percentages are computed to 2 places.
PLACES = {
    ColumnType.INTEGER: 0,
    ColumnType.MONEY: 3,
    ColumnType.AREA: 2,
    ColumnType.PERCENT: 2,
}
NUMERIC = frozenset(PLACES)
ENTERED_NUMERIC = frozenset(PLACES) - {ColumnType.PERCENT}
MAX_ABS = Decimal(10) ** 15
_CENT = Decimal("0.01")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_PLAIN_DOT_DECIMAL = re.compile(r"^\d+\.\d+$")
_ONE_DOT_GROUP = re.compile(r"^\d{1,3}\.\d{3}$")
_SHAPE = re.compile(r"^[\d.,]+$")
YES, NO = "co", "khong"


# --- Parsing ------------------------------------------------------------------


def _refuse(raw, message=None, code="invalid"):
    message = message or _(
        "“%(value)s” không phải là số. Ví dụ cách nhập: 1.234.567 hoặc 1.234,5"
    )
    return ValidationError(message % {"value": _shown(raw)}, code=code)


def _shown(raw):
    text = str(raw)
    return text if len(text) <= 40 else text[:40] + "…"


def _ascii_digits(text):
    """Full-width and other-script decimal digits as ASCII ("１２" -> "12")."""
    out = []
    for ch in text:
        if ch.isdigit() and not ch.isascii():
            try:
                ch = str(unicodedata.decimal(ch))
            except ValueError:
                pass
        out.append(ch)
    return "".join(out)


def parse_number(raw, col_type=ColumnType.MONEY):
    """The ``Decimal`` typed in ``raw`` for a column of ``col_type``; None when blank.

    Vietnamese forms: "1.234.567", "12,5", "1.234,5" (also "1234.5" as pasted
    from an English spreadsheet). An integer column reads "85.420" as 85420; in a
    decimal column a single dot before three digits ("5.800") could be a
    thousand or a fraction, so it is refused with both readings rather than
    guessed. Raises ``ValidationError`` with a Vietnamese message.
    """
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise _refuse(raw)
    if isinstance(raw, str):
        value = _parse_text(raw, col_type)
        if value is None:
            return None
    else:
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        if not value.is_finite():
            raise _refuse(raw)
    return _check(value, col_type)


def _parse_text(raw, col_type):
    text = _SPACES.sub("", _ascii_digits(unicodedata.normalize("NFKC", raw)))
    if not text:
        return None
    negative = text[0] in "-\u2212"
    if negative or text[0] == "+":
        text = text[1:]
    if not text or not _SHAPE.match(text) or not text[0].isdigit():
        raise _refuse(raw)
    if negative:
        raise ValidationError(_("Không nhập số âm."), code="negative")
    if PLACES.get(col_type, 4) and _ONE_DOT_GROUP.match(text) and text[0] != "0":
        whole, frac = text.split(".")
        raise ValidationError(
            _(
                "“%(value)s” chưa rõ nghĩa: nếu là số nghìn, hãy viết %(plain)s; "
                "nếu là số thập phân, hãy viết %(comma)s."
            )
            % {"value": _shown(raw), "plain": whole + frac, "comma": f"{whole},{frac}"},
            code="ambiguous",
        )
    value = _read(text)
    if value is None:
        raise _refuse(raw)
    return value


def _check(value, col_type):
    if value < 0:
        raise ValidationError(_("Không nhập số âm."), code="negative")
    if value >= MAX_ABS:
        raise ValidationError(_("Số quá lớn."), code="too_large")
    places = PLACES.get(col_type, 4)
    if decimals(value) > places:
        if places == 0:
            raise ValidationError(
                _("Cột này chỉ nhận số nguyên (không có phần lẻ)."),
                code="not_integer",
            )
        raise ValidationError(
            _("Cột này nhận tối đa %(n)s chữ số sau dấu phẩy.") % {"n": places},
            code="too_many_places",
        )
    return value.quantize(Decimal(1)) if places == 0 else value


def _read(text):
    """``text`` (digits, dots and commas only) as a Decimal, or None."""
    try:
        value = parse_decimal(text, locale=LOCALE, strict=True)
    except NumberFormatError:
        value = None
    if value is None and _PLAIN_DOT_DECIMAL.match(text):
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
    if value is None and re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        # "1,234,567.5" pasted from an English spreadsheet.
        value = Decimal(text.replace(",", ""))
    if value is not None and not value.is_finite():
        return None
    return value


def parse_flag(raw):
    """A yes/no cell: True, False or None (blank); "co"/"khong" as the editor sends."""
    text = str(raw if raw is not None else "").strip().lower()
    if text in ("", "none"):
        return None
    if text in (YES, "có", "true", "1", "x"):
        return True
    if text in (NO, "không", "false", "0"):
        return False
    raise ValidationError(_("Chọn “Có” hoặc “Không”."), code="invalid_flag")


def parse_date(raw):
    """A date typed as dd/mm/yyyy (or ISO yyyy-mm-dd); None when blank."""
    text = _ascii_digits(str(raw or "")).strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            value = dt.date(year, month, day)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            value = dt.date.fromisoformat(text)
        else:
            raise ValueError(text)
    except ValueError as exc:
        raise ValidationError(
            _(
                "“%(value)s” không phải là ngày hợp lệ. Nhập theo dạng "
                "ngày/tháng/năm, ví dụ 15/03/2017."
            )
            % {"value": _shown(raw)},
            code="invalid_date",
        ) from exc
    if not 1945 <= value.year <= 2100:
        raise ValidationError(
            _("Năm %(year)s không hợp lệ.") % {"year": value.year}, code="bad_year"
        )
    return value


# --- Computing ----------------------------------------------------------------


def percent(numerator, denominator):
    """numerator / denominator × 100 to two places, or None when undefined."""
    if numerator is None or denominator is None or not Decimal(denominator):
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        _CENT, rounding=ROUND_HALF_UP
    )


def usable(cell):
    """The number a cell gives to a computation: None when missing or "no data"."""
    if cell is None:
        return None
    if isinstance(cell, dict):
        return None if cell.get("no_data") else _decimal(cell.get("num"))
    return None if cell.no_data else _decimal(cell.num)


def percent_of(column, cells):
    """A percentage column's value from its parts in ``cells`` (by column pk)."""
    return percent(
        usable(cells.get(column.numerator_id)), usable(cells.get(column.denominator_id))
    )


def model_count(models, column):
    """Biểu 2: models of the column's content area; "*" or blank counts them all."""
    key = column.source_key
    if key in ("", "*", None):
        return Decimal(len(models))
    return Decimal(sum(1 for m in models if _area(m) == key))


def _area(model):
    return model.get("content_area") if isinstance(model, dict) else model.content_area


def _decimal(value):
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class Total:
    """A column total: the exact sum, and whether some rows had no figure."""

    value: Decimal | None
    partial: bool = False


def total(values):
    """The exact sum of ``values`` (None for "no data" or missing rows)."""
    values = list(values)
    present = [_decimal(v) for v in values if v is not None and v != ""]
    partial = len(present) < len(list(values))
    if not present:
        return Total(None, partial)
    return Total(sum(present, Decimal(0)), partial)


# --- Printing -----------------------------------------------------------------

# Python groups by thousands with "," and "."; Vietnamese (CLDR, through Babel)
# writes the group and decimal signs the other way round: 1.234.567,5.
_VI_SEPARATORS = str.maketrans(
    {",": get_group_symbol(LOCALE), ".": get_decimal_symbol(LOCALE)}
)


def format_number(value):
    """A number as printed in Vietnamese: 1.234.567,5 — every decimal it holds,
    no trailing zeros, never rounded."""
    value = _decimal(value)
    if value is None:
        return ""
    value = value.normalize()
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return format(value, ",f").translate(_VI_SEPARATORS)


def format_date(value):
    """dd/mm/yyyy, or "" for None (accepts ISO strings as stored in JSON)."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y")


def input_text(value, col_type):
    """A stored number as typed back into the editor: grouped, and read back
    by ``parse_number`` to the same value (ungrouped where grouping would be
    ambiguous, as "5.800" in a money column)."""
    text = format_number(value)
    if not text:
        return ""
    try:
        if parse_number(text, col_type) == _decimal(value):
            return text
    except ValidationError:
        pass
    return text.replace(".", "")


def decimals(value):
    """How many decimals ``value`` prints with."""
    value = _decimal(value)
    if value is None:
        return 0
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent)


def excel_format(value):
    """The Excel number format that shows ``value`` as ``format_number`` does."""
    places = decimals(value)
    return "#,##0" + ("." + "0" * places if places else "")


def flag_text(flag):
    return {True: _("Có"), False: _("Không")}.get(flag, "")


def document_line(doc):
    """One document of a list: "Kế hoạch số 12/KH-MTTQ ngày 15/03/2017: …"."""
    parts = [doc.get("kind") or _("Văn bản")]
    if doc.get("number"):
        parts.append(_("số %(n)s") % {"n": doc["number"]})
    if doc.get("date"):
        parts.append(_("ngày %(d)s") % {"d": format_date(doc["date"])})
    line = " ".join(parts)
    if doc.get("summary"):
        line += f": {doc['summary']}"
    return line


NO_DATA = _("Không có số liệu")
# A total that leaves out rows (a unit without a report, a cell without data)
# carries this mark, and its table the footnote, on screen, in Excel and PDF.
PARTIAL_MARK = "*"
PARTIAL_NOTE = _(
    "(*) Tổng chưa đầy đủ: có đơn vị chưa có báo cáo hoặc không có số liệu"
)
# Excel holds 15 significant digits; a longer figure is written as its text.
EXCEL_DIGITS = 15


def no_data_text(note):
    return NO_DATA + (f" ({note})" if note else "")


def display(cell, col_type, *, computed=None):
    """A cell's value as printed everywhere; ``cell`` is a model or a dict.

    ``computed`` is the value of a percentage or model-count column (computed
    from other cells with ``percent_of`` / ``model_count``).
    """
    if col_type == ColumnType.PERCENT or computed is not None:
        return format_number(computed)
    if cell is None:
        return ""
    get = cell.get if isinstance(cell, dict) else lambda k, d=None: getattr(cell, k, d)
    if get("no_data"):
        return no_data_text(get("note") or "")
    field_name = {
        ColumnType.DOCUMENTS: "docs",
        ColumnType.YES_NO: "flag",
        ColumnType.TEXT: "text",
    }.get(col_type, "num")
    return display_value(get(field_name))


def display_value(value):
    """A typed value as printed: a ``Decimal``, a yes/no ``bool``, a list of
    documents, a text; a count (``int``) for the total of yes/no or documents."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return flag_text(value)
    if isinstance(value, list):
        return "\n".join(document_line(d) for d in value)
    if isinstance(value, str):
        return value
    return format_number(value)


def total_text(value, *, partial=False):
    """A total as printed, marked when it leaves out rows."""
    text = display_value(value)
    return text + PARTIAL_MARK if partial else text


def excel_value(value):
    """A figure as Excel holds it: the number (shown with ``excel_format``), or
    its printed text when Excel would lose digits."""
    number = _decimal(value)
    if number is None:
        return None
    if len(number.normalize().as_tuple().digits) > EXCEL_DIGITS:
        return format_number(number)
    return number
