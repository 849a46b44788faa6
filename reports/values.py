"""Reading numbers and dates as Vietnamese people type them, and printing them."""

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_DIGITS = re.compile(r"^\d+$")
_GROUPED = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")


def _bad_number(raw):
    return ValidationError(
        _("“%(value)s” không phải là số. Ví dụ cách nhập: 1.234,5 hoặc 1234.5")
        % {"value": raw},
        code="invalid",
    )


def parse_number(raw):
    """The ``Decimal`` typed in ``raw``, or None when blank.

    Accepts "1.234.567,5", "1234567.5", "1 234,5", "8,5" and "8.5". A single
    dot followed by exactly three digits ("1.234") could mean either a thousand
    or a fraction, so it is refused with a message rather than guessed.
    """
    text = _SPACES.sub("", str(raw or ""))
    if not text:
        return None
    sign = ""
    if text[0] in "-+−":
        sign = "-" if text[0] in "-−" else ""
        text = text[1:]
    if not text or not re.fullmatch(r"[\d.,]+", text) or not text[0].isdigit():
        raise _bad_number(raw)
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        whole, _sep, frac = text.rpartition(decimal_sep)
        if text.count(decimal_sep) > 1 or not _GROUPED.match(whole):
            raise _bad_number(raw)
        if thousands in frac or not _DIGITS.match(frac):
            raise _bad_number(raw)
        number = whole.replace(thousands, "") + "." + frac
    elif dots > 1 or commas > 1:
        if not _GROUPED.match(text) or (dots and commas):
            raise _bad_number(raw)
        number = text.replace(".", "").replace(",", "")
    elif dots == 1 or commas == 1:
        sep = "." if dots else ","
        whole, frac = text.split(sep)
        if not whole or not _DIGITS.match(frac):
            raise _bad_number(raw)
        if sep == "." and len(frac) == 3 and len(whole) <= 3 and whole != "0":
            raise ValidationError(
                _(
                    "“%(value)s” chưa rõ nghĩa: nếu là số nghìn, hãy viết %(plain)s; "
                    "nếu là số thập phân, hãy viết %(comma)s."
                )
                % {"value": raw, "plain": whole + frac, "comma": whole + "," + frac},
                code="ambiguous",
            )
        number = whole + "." + frac
    else:
        number = text
    try:
        value = Decimal(sign + number)
    except InvalidOperation as exc:
        raise _bad_number(raw) from exc
    if abs(value) >= Decimal(10) ** 15:
        raise ValidationError(_("Số quá lớn."), code="too_large")
    return value


def parse_date(raw):
    """A date typed as dd/mm/yyyy (or ISO yyyy-mm-dd); None when blank."""
    text = str(raw or "").strip()
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
            % {"value": raw},
            code="invalid_date",
        ) from exc
    if not 1945 <= value.year <= 2100:
        raise ValidationError(
            _("Năm %(year)s không hợp lệ.") % {"year": value.year}, code="bad_year"
        )
    return value


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


def format_number(value, places=None):
    """A number as printed in Vietnamese: 1.234.567,5 (no trailing zeros)."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(value.normalize() if value == value.to_integral() else value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    whole, _sep, frac = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + frac if frac else "")


def percent(numerator, denominator):
    """numerator / denominator × 100 to two places, or None when undefined."""
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
