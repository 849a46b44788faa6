import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from reports.cells import format_number, parse_date, parse_number, percent


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("1.234.567,5", Decimal("1234567.5")),
        ("1234567.5", Decimal("1234567.5")),
        ("1 234,5", Decimal("1234.5")),
        ("1\u00a0234,5", Decimal("1234.5")),
        ("8,5", Decimal("8.5")),
        ("8.5", Decimal("8.5")),
        ("1,234,567", Decimal("1234567")),
        ("0.125", Decimal("0.125")),
        ("1.234,5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
        ("+3", Decimal("3")),
        ("  12 ", Decimal("12")),
        ("", None),
        (None, None),
    ],
)
def test_parse_number_reads_vietnamese_and_plain_numbers(typed, expected):
    assert parse_number(typed) == expected


@pytest.mark.parametrize(
    "typed", ["abc", "12a", "1,2,3", "1.2.3", "1.234.5,6,7", ",5", "1..2", "--1", "1e5"]
)
def test_parse_number_refuses_garbage_with_a_vietnamese_message(typed):
    with pytest.raises(ValidationError) as info:
        parse_number(typed)
    assert "không phải là số" in info.value.messages[0]


def test_parse_number_refuses_a_dot_that_could_mean_thousands_or_a_fraction():
    with pytest.raises(ValidationError) as info:
        parse_number("1.234")
    message = info.value.messages[0]
    assert "chưa rõ nghĩa" in message and "1234" in message and "1,234" in message


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("15/03/2017", dt.date(2017, 3, 15)),
        ("5/3/2017", dt.date(2017, 3, 5)),
        ("2017-03-15", dt.date(2017, 3, 15)),
        ("", None),
    ],
)
def test_parse_date_reads_day_month_year(typed, expected):
    assert parse_date(typed) == expected


@pytest.mark.parametrize(
    "typed", ["31/02/2017", "15-3", "hôm qua", "03/15/2017", "1/1/1800"]
)
def test_parse_date_refuses_impossible_dates(typed):
    with pytest.raises(ValidationError):
        parse_date(typed)


def test_format_number_prints_the_vietnamese_way():
    assert format_number(Decimal("1234567.5")) == "1.234.567,5"
    assert format_number(Decimal("1234567.5000")) == "1.234.567,5"
    assert format_number(Decimal("100.0000")) == "100"
    assert format_number(Decimal("-1234.5")) == "-1.234,5"
    assert format_number(Decimal("66.666")) == "66,666"  # never rounded
    assert format_number(Decimal("3215.750")) == "3.215,75"
    assert format_number(None) == ""


def test_percent_is_undefined_without_a_denominator():
    assert percent(Decimal(150), Decimal(200)) == Decimal("75.00")
    assert percent(Decimal(1), Decimal(3)) == Decimal("33.33")
    assert percent(Decimal(1), Decimal(0)) is None
    assert percent(None, Decimal(5)) is None


def test_vn_number_filter_prints_every_decimal_and_adds_none():
    template = Template("{% load sokket_values %}{{ x|vn_number }}|{{ y|vn_number }}")
    rendered = template.render(
        Context({"x": Decimal("1234567.5"), "y": Decimal("2.125")})
    )
    assert rendered == "1.234.567,5|2,125"


def test_parse_number_refuses_negative_figures():
    with pytest.raises(ValidationError) as info:
        parse_number("-3")
    assert info.value.messages == ["Không nhập số âm."]
