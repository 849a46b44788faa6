"""Property: for random values of every column type, the editor, the report page,
the review page, the consolidation page, the Excel file and the PDF all show the
same string, and printed rows add up to the printed total."""

import datetime as dt
import re
import subprocess
import unicodedata
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reports import cells, workflow
from reports.consolidation import consolidate
from reports.exports import data, pdf, xlsx
from reports.models import Cell, ColumnType, ExemplaryModel, QualityRule, TableColumn
from reports.review import version_sheet
from reports.sheet import build_sheet
from reports.templatetags.consolidation_tags import row_cell
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db

LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    "àảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐÂƠƯ"
)
WORD = st.text(alphabet=LETTERS, min_size=1, max_size=9)
WORDS = st.lists(WORD, min_size=1, max_size=6).map(" ".join)


def decimals(places, top=10**11):
    return st.integers(0, top * 10**places).map(lambda n: Decimal(n).scaleb(-places))


DOC = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["Kế hoạch", "Nghị quyết", "Chương trình phối hợp"]),
        "number": st.integers(1, 999).map(lambda n: f"{n}/KH-MTTQ"),
        "date": st.dates(
            min_value=dt.date(2016, 1, 1), max_value=dt.date(2020, 12, 31)
        ).map(lambda d: d.isoformat()),
        "summary": WORDS,
    }
)


@st.composite
def unit_values(draw):
    """Draft cell fields by column code, one value of every column type."""
    total = draw(st.integers(0, 10**6))
    return {
        "xa-ntm": {"num": Decimal(draw(st.integers(0, 10**12)))},
        "tien": {"num": draw(decimals(3))},
        "hien-dat": {"num": draw(decimals(2))},
        "tong-ho": {"num": Decimal(total)},
        "ho-dat": {"num": Decimal(draw(st.integers(0, total)))},
        "kdc-dat": {"num": None, "no_data": True, "note": draw(WORDS)},
        # Required columns: a submitted report has them filled.
        "phat-dong-cap": {"flag": draw(st.booleans())},
        "vb-ct10": {"docs": draw(st.lists(DOC, min_size=1, max_size=2))},
        "ghi-chu": {"text": draw(WORDS)},
    }


CODES = [
    "xa-ntm",
    "tien",
    "hien-dat",
    "tong-ho",
    "ho-dat",
    "ty-le-ho",
    "kdc-dat",
    "ty-le-kdc",
    "phat-dong-cap",
    "vb-ct10",
    "ghi-chu",
    "mh-tong",
]
SUMMED = ["xa-ntm", "tien", "hien-dat", "tong-ho"]


def vn(value):
    """Independently of ``cells``: 1.234.567,5 with every decimal, none added."""
    value = Decimal(value)
    text = format(value.normalize() if value % 1 else value.quantize(1), "f")
    whole, _sep, frac = text.partition(".")
    return f"{int(whole):,}".replace(",", ".") + ("," + frac if frac else "")


def unvn(text):
    return Decimal(text.rstrip(cells.PARTIAL_MARK).replace(".", "").replace(",", "."))


def excel_text(cell):
    """What Excel shows for a cell, with Vietnamese separators: a "#,##0.00"
    style format applied to the stored number."""
    if cell.value is None or isinstance(cell.value, str):
        return cell.value or ""
    match = re.fullmatch(r'#,##0(?:\.(0+))?(?:"(.*)")?', cell.number_format)
    assert match, cell.number_format
    places = len(match.group(1) or "")
    value = Decimal(repr(cell.value)).quantize(Decimal(1).scaleb(-places))
    whole, _sep, frac = f"{value:f}".partition(".")
    text = f"{int(whole):,}".replace(",", ".") + ("," + frac if frac else "")
    return text + (match.group(2) or "")


def flat(text):
    return " ".join(unicodedata.normalize("NFC", text).split())


def squeeze(text):
    """The characters without the spaces: a PDF cell breaks lines where it
    must (after a hyphen too), and pdftotext cannot tell that from a space."""
    return "".join(flat(text).split())


def pdf_text(content, tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True
    )
    return squeeze(result.stdout.decode())


@pytest.fixture
def text_column(demo, unit):
    """A free-text column (the 2016–2020 outline has none) in Biểu 1.5."""
    template = create_report(demo, unit("705")).template
    table = template.tables.get(code="1.5")
    TableColumn.objects.create(
        table=table,
        code="ghi-chu",
        label="Ghi chú",
        col_type=ColumnType.TEXT,
        order=99,
        required=False,
    )
    # Random figures break the rules between figures (tested in test_quality*):
    # this test is about how each figure prints.
    QualityRule.objects.filter(table__template=template).delete()
    return template


def approved(demo, unit, make_user, code, values, models):
    staff = make_user(code, "staff")
    report = create_report(demo, unit(code))
    fill_report(report, staff, models=0)
    for key, fields in values.items():
        column = TableColumn.objects.get(table__template=report.template, code=key)
        Cell.objects.update_or_create(report=report, column=column, defaults=fields)
    for area in models:
        ExemplaryModel.objects.create(
            report=report, name=f"Mô hình {area}", content_area=area, year_started=2017
        )
    version = workflow.submit_report(report, actor=staff)
    workflow.approve_report(report, actor=make_user("72", "reviewer"))
    return report, version


MODELS = st.lists(
    st.sampled_from(["II.1.1", "II.1.2", "II.1.5"]), min_size=1, max_size=3
)


@settings(
    max_examples=10,
    deadline=None,
    # Each example submits two reports and renders a PDF: report the failing
    # example as found rather than spend minutes shrinking it.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(first=unit_values(), second=unit_values(), models=MODELS)
def test_every_page_and_file_prints_the_same_string(
    first, second, models, text_column, client, demo, unit, make_user, tmp_path
):
    with transaction.atomic():
        report, version = approved(demo, unit, make_user, "705", first, models)
        approved(demo, unit, make_user, "703", second, ["II.1.2"])
        expected = check_one_unit(
            report, version, first, models, client, make_user, tmp_path
        )
        check_consolidation(demo, unit, expected, client, make_user, tmp_path)
        transaction.set_rollback(True)


def check_one_unit(report, version, values, models, client, make_user, tmp_path):
    editor = {
        c.column.code: c.display for t in build_sheet(report).tables for c in t.cells
    }
    expected = {code: editor[code] for code in CODES}
    # The printed strings are what was typed, never rounded.
    for code in ("xa-ntm", "tien", "hien-dat", "tong-ho", "ho-dat"):
        assert expected[code] == vn(values[code]["num"]), code
    assert expected["mh-tong"] == str(len(models))
    assert expected["kdc-dat"] == f"Không có số liệu ({values['kdc-dat']['note']})"
    assert expected["ty-le-kdc"] == ""
    assert expected["ghi-chu"] == values["ghi-chu"]["text"]
    assert (
        expected["phat-dong-cap"]
        == {True: "Có", False: "Không", None: ""}[values["phat-dong-cap"]["flag"]]
    )

    report_page = {
        c.column.code: c.display
        for t in build_sheet(report, version=version).tables
        for c in t.cells
    }
    review = {
        c.column.code: c.value
        for t in version_sheet(report, version, []).tables
        for c in t.cells
    }
    for code in CODES:
        assert report_page[code] == expected[code], code
        assert review[code] == expected[code], code

    client.force_login(make_user("705", "staff"))
    assert_on_page(client.get(report.get_absolute_url()), expected)
    client.force_login(make_user("72", "reviewer"))
    assert_on_page(client.get(reverse("review_report", args=[report.pk])), expected)

    document = data.build_version_document(version)
    path = tmp_path / "unit.xlsx"
    path.write_bytes(xlsx.render_xlsx(document))
    book = openpyxl.load_workbook(path)
    excel = {}
    for table in document.tables:
        ws = book[xlsx.sheet_name(table)]
        row = next(r for r in ws.iter_rows() if r[1].value == report.unit.name)
        for index, leaf in enumerate(table.leaves):
            excel[leaf.code] = excel_text(row[data.LEAD_COLUMNS + index])
    for code in CODES:
        assert excel[code] == expected[code], code

    text = pdf_text(pdf.render_pdf(document), tmp_path)
    for code in CODES:
        if expected[code]:
            assert squeeze(expected[code]) in text, code
    return expected


def assert_on_page(response, expected):
    page = response.content.decode()
    for code in CODES:
        for line in expected[code].splitlines():
            assert escape(line) in page, code


def check_consolidation(demo, unit, expected, client, make_user, tmp_path):
    """The consolidation page and the consolidated Excel and PDF rows print the
    unit's figures as its own report does, and the rows add up to the total."""
    province = unit("72")
    result = consolidate(province, demo)
    document = data.build_consolidated_document(result)
    path = tmp_path / "tong-hop.xlsx"
    path.write_bytes(xlsx.render_xlsx(document))
    book = openpyxl.load_workbook(path)
    client.force_login(make_user("72", "reviewer"))
    page = client.get(reverse("consolidation", args=[province.pk])).content.decode()
    for ctable, table in zip(result.tables, document.tables, strict=True):
        printed = data.printed_rows(table)
        ws = book[xlsx.sheet_name(table)]
        excel = {r[1].value: r for r in ws.iter_rows() if r[1].value}
        for index, leaf in enumerate(table.leaves):
            column = next(c for c in ctable.layout.leaves if c.code == leaf.code)
            screen = {row.unit.name: row_cell(row, column).text for row in ctable.rows}
            shown = {
                row.label: cells_[index].text
                for row, cells_ in printed
                if not row.is_empty
            }
            for name, text in shown.items():
                in_excel = excel_text(excel[name][data.LEAD_COLUMNS + index])
                assert in_excel == text, (leaf.code, name)
                assert escape(text.splitlines()[0] if text else "") in page
                if name in screen:
                    assert screen[name] == text, (leaf.code, name)
            if leaf.code in expected:
                assert shown["Huyện Tân Biên"] == expected[leaf.code], leaf.code
            if leaf.code in SUMMED:
                total = shown.pop("Tổng cộng")
                rows = [unvn(text) for text in shown.values() if text]
                assert sum(rows, Decimal(0)) == unvn(total), leaf.code


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.integers(0, 10**12).map(Decimal),
        decimals(3),
        decimals(2),
        st.decimals(min_value=0, max_value=100, places=2),
    )
)
def test_excel_shows_a_figure_as_printed_and_parsed_back(value):
    """The Excel format of a figure shows exactly what every page prints, and
    the editor reads the printed text back to the same figure."""
    text = cells.format_number(value)
    assert text == vn(value)
    number = cells.excel_value(value)
    shown = SimpleNamespace(
        value=float(number), number_format=cells.excel_format(value)
    )
    assert excel_text(shown) == text
    assert cells.parse_number(cells.input_text(value, ColumnType.MONEY)) == value
