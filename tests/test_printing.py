"""One printer: every page and file shows the same characters for a figure."""

import datetime as dt
import subprocess
from decimal import Decimal

import openpyxl
import pytest

from reports import workflow
from reports.consolidation import consolidate
from reports.exports import data, pdf, xlsx
from reports.models import Cell, TableColumn
from reports.review import version_sheet
from reports.sheet import build_sheet
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db


def set_cells(report, values):
    """Overwrite draft cells by column code: {"tien": {"num": ...}, ...}."""
    for code, fields in values.items():
        column = TableColumn.objects.get(table__template=report.template, code=code)
        Cell.objects.update_or_create(report=report, column=column, defaults=fields)


def submitted_report(demo, unit, make_user, code, values, *, approve=True, seed=1):
    staff = make_user(code, "staff")
    report = create_report(demo, unit(code))
    fill_report(report, staff, seed=seed)
    set_cells(report, values)
    report.document_number = "12/BC-MTTQ"
    report.document_date = dt.date(2020, 12, 10)
    report.save()
    version = workflow.submit_report(report, actor=staff)
    if approve:
        reviewer = make_user("72", "reviewer")
        workflow.approve_report(report, actor=reviewer)
    return report, version


def pdf_text(content, tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return " ".join(result.stdout.split())


def xlsx_sheet(content, tmp_path, name):
    path = tmp_path / "doc.xlsx"
    path.write_bytes(content)
    return openpyxl.load_workbook(path)[name]


def data_row(ws, row_number=1):
    """The printed cells of a unit's row of a one-header-row sheet, by code."""
    return [
        ws.cell(row=xlsx.HEADER_TOP + depth + row_number - 1, column=i)
        for depth in (header_depth(ws),)
        for i in range(1, ws.max_column + 1)
    ]


def header_depth(ws):
    row = xlsx.HEADER_TOP
    while ws.cell(row=row, column=1).value in ("STT", None):
        row += 1
    return row - xlsx.HEADER_TOP


EXACT = {
    "tien": {"num": Decimal("3215.75")},
    "hien-dat": {"num": Decimal("1234567")},
    "ho-dat": {"num": Decimal("9297")},
    "tong-ho": {"num": Decimal("10000")},
}


def test_pdf_prints_every_decimal_entered_and_no_invented_ones(
    demo, unit, make_user, tmp_path
):
    _report, version = submitted_report(demo, unit, make_user, "705", EXACT)
    text = pdf_text(pdf.render_pdf(data.build_version_document(version)), tmp_path)
    assert "3.215,75" in text and "3.215,8" not in text
    assert "1.234.567" in text and "1.234.567,0" not in text
    assert "92,97" in text and "93,0" not in text


def test_excel_number_format_shows_the_decimals_entered(
    demo, unit, make_user, tmp_path
):
    _report, version = submitted_report(demo, unit, make_user, "705", EXACT)
    content = xlsx.render_xlsx(data.build_version_document(version))
    ws = xlsx_sheet(content, tmp_path, "Biểu 1.2")
    by_value = {c.value: c.number_format for c in data_row(ws)}
    assert by_value[3215.75] == "#,##0.00"
    assert by_value[1234567] == "#,##0"
    ws = xlsx_sheet(content, tmp_path, "Biểu 1.4")
    by_value = {c.value: c.number_format for c in data_row(ws)}
    assert by_value[92.97] == "#,##0.00"


def test_printed_rows_add_up_to_the_printed_total(demo, unit, make_user, tmp_path):
    for seed, code in enumerate(["705", "703", "707"], start=1):
        submitted_report(
            demo, unit, make_user, code, {"tien": {"num": Decimal(f"{seed}.25")}}
        )
    doc = data.build_consolidated_document(consolidate(unit("72"), demo))
    table = next(t for t in doc.tables if t.code == "1.2")
    index = [leaf.code for leaf in table.leaves].index("tien")
    printed = [cells[index].text for _row, cells in data.printed_rows(table)]
    rows, total = printed[:-1], printed[-1]
    assert sorted(r for r in rows if r) == ["1,25", "2,25", "3,25"]
    assert total.rstrip("*") == "6,75"


def test_review_page_counts_all_models_in_the_biểu_2_total(demo, unit, make_user):
    staff = make_user("705", "staff")
    report = create_report(demo, unit("705"))
    fill_report(report, staff, models=3)
    version = workflow.submit_report(report, actor=staff)
    sheet = version_sheet(report, version, [])
    table = next(t for t in sheet.tables if t.table.code == "2")
    values = {cell.column.code: cell.value for cell in table.cells}
    editor = next(t for t in build_sheet(report).tables if t.code == "2")
    assert values["mh-tong"] == "3"
    assert values == {cell.column.code: cell.display for cell in editor.cells}


def test_review_page_leaves_a_percentage_of_a_no_data_cell_blank(demo, unit, make_user):
    no_data = {"ho-dat": {"num": Decimal(5), "no_data": True, "note": "Chưa thống kê"}}
    report, version = submitted_report(
        demo, unit, make_user, "705", no_data, approve=False
    )
    sheet = version_sheet(report, version, [])
    table = next(t for t in sheet.tables if t.table.code == "1.4")
    values = {cell.column.code: cell.value for cell in table.cells}
    assert values["ty-le-ho"] == ""
    assert values["ho-dat"] == "Không có số liệu (Chưa thống kê)"


def test_latest_version_has_one_home(demo, unit, make_user):
    report, first = submitted_report(demo, unit, make_user, "705", {}, approve=False)
    assert report.versions.newest() == first
