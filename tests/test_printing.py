"""One printer: every page and file shows the same characters for a figure."""

import datetime as dt
import re
from decimal import Decimal

import openpyxl
import pytest

from reports import workflow
from reports.consolidation import consolidate
from reports.exports import data, files, pdf, roundtrip, xlsx
from reports.models import Cell, TableColumn
from reports.review import version_sheet
from reports.sheet import build_sheet
from tests.factories import create_report, fill_report
from tests.test_exports import pdf_text

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


NOTE = "Huyện chưa thống kê số hộ đạt chuẩn trong năm 2016 vì sáp nhập xã"
NO_DATA = {"ho-dat": {"num": None, "no_data": True, "note": NOTE}}
NO_DATA_TEXT = f"Không có số liệu ({NOTE})"


def test_no_data_with_its_note_is_printed_as_such_on_screens_and_files(
    client, demo, unit, make_user, tmp_path
):
    report, version = submitted_report(demo, unit, make_user, "705", NO_DATA)
    # Report page (the editor's sheet of the version) and review page.
    sheet = build_sheet(report, version=version)
    cell = next(c for t in sheet.tables for c in t.cells if c.column.code == "ho-dat")
    assert cell.display == NO_DATA_TEXT
    client.force_login(make_user("705", "staff"))
    page = client.get(report.get_absolute_url()).content.decode()
    assert NO_DATA_TEXT in page
    # Excel: the text in the cell, the note in a comment.
    content = xlsx.render_xlsx(data.build_version_document(version))
    ws = xlsx_sheet(content, tmp_path, "Biểu 1.4")
    found = [c for c in data_row(ws) if c.value == NO_DATA_TEXT]
    assert found and found[0].comment.text == NOTE
    # PDF: the cell wraps inside its column (the whole text is there).
    text = pdf_text(pdf.render_pdf(data.build_version_document(version)), tmp_path)
    assert "Không có số liệu" in text and "sáp nhập xã" in text


def test_pdf_cell_without_data_wraps_inside_its_borders(demo, unit, make_user):
    from weasyprint import HTML

    long_note = {
        "kdc-dat": {
            "no_data": True,
            "note": "Chưa thống kê " + "khudâncưvănhóa" * 5 + " vì sáp nhập ấp",
        }
    }
    _report, version = submitted_report(demo, unit, make_user, "705", long_note)
    document = data.build_version_document(version)
    fonts, css = pdf._weasy()
    html = HTML(string=pdf.render_html(document, inline_css=False))
    rendered = html.render(stylesheets=[css], font_config=fonts)
    lines = []
    for page in rendered.pages:
        # WeasyPrint's laid-out boxes (no public API walks them).
        for cell in boxes(page._page_box, "TableCellBox"):
            if "nodata" not in (cell.element.get("class") or ""):
                continue
            right = cell.content_box_x() + cell.width
            for line in boxes(cell, "TextBox"):
                lines.append(line.text)
                assert line.position_x + line.width <= right + 0.5, line.text
    assert len(lines) > 3  # wrapped onto several lines, every one inside
    assert "".join(lines).replace(" ", "").endswith("sápnhậpấp)")


def boxes(box, kind):
    if type(box).__name__ == kind:
        yield box
    for child in getattr(box, "children", None) or []:
        yield from boxes(child, kind)


@pytest.fixture
def partial_province(demo, unit, make_user):
    """Tân Biên (money 1,25) and Tây Ninh (2,5) approved, Tân Châu only
    submitted, the others without a report: every total marked partial."""
    submitted_report(demo, unit, make_user, "705", {"tien": {"num": Decimal("1.25")}})
    submitted_report(demo, unit, make_user, "703", {"tien": {"num": Decimal("2.5")}})
    submitted_report(
        demo, unit, make_user, "706", {"tien": {"num": Decimal(9)}}, approve=False
    )
    result = consolidate(unit("72"), demo)
    for table in result.tables:
        # Filled in by consolidation (another change); printed here.
        table.partial = {leaf.pk for leaf in table.layout.leaves}
    return result


def test_partial_total_is_marked_with_a_footnote_in_excel_and_pdf(
    partial_province, tmp_path
):
    doc = data.build_consolidated_document(partial_province)
    table = next(t for t in doc.tables if t.code == "1.2")
    index = [leaf.code for leaf in table.leaves].index("tien")
    rows = data.printed_rows(table)
    assert rows[-1][1][index].text == "3,75*"
    text = pdf_text(pdf.render_pdf(doc), tmp_path)
    assert "3,75*" in text
    assert "(*) Tổng chưa đầy đủ: có đơn vị chưa có báo cáo hoặc không có số liệu" in (
        text
    )
    assert "Chưa có báo cáo" in text and "Đã nộp, chưa duyệt" in text
    ws = xlsx_sheet(xlsx.render_xlsx(doc), tmp_path, "Biểu 1.2")
    values = list(ws.iter_rows(min_row=xlsx.HEADER_TOP + 2))
    labels = [row[1].value for row in values]
    total = values[labels.index("Tổng cộng")]
    assert total[2 + index].value == 3.75
    assert total[2 + index].number_format == '#,##0.00"*"'
    assert values[labels.index("Tổng cộng") + 1][0].value.startswith("(*) Tổng chưa")
    by_label = {row[1].value: row[2].value for row in values}
    assert by_label["Huyện Tân Châu"] == "Đã nộp, chưa duyệt"
    assert by_label["Huyện Bến Cầu"] == "Chưa có báo cáo"


def test_consolidation_page_marks_partial_totals_and_rows_without_figures(
    client, partial_province, unit, make_user, monkeypatch
):
    monkeypatch.setattr(
        "reports.views.consolidation.consolidate", lambda *a, **k: partial_province
    )
    client.force_login(make_user("72", "reviewer"))
    page = client.get(f"/tong-hop/{unit('72').pk}/").content.decode()
    assert "3,75*" in page
    assert "(*) Tổng chưa đầy đủ" in page
    assert "Chưa có báo cáo" in page and "Đã nộp, chưa duyệt" in page


def test_round_trip_template_leaves_a_no_data_cell_empty_for_the_import(
    demo, unit, make_user, tmp_path
):
    staff = make_user("705", "staff")
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    set_cells(report, {**NO_DATA, "tien": {"num": Decimal("3215.75")}})
    content, _name = roundtrip.build_template(report)
    ws = xlsx_sheet(content, tmp_path, "Biểu 1.4")
    (noted,) = [c for c in data_row(ws) if c.comment is not None]
    assert noted.value is None  # the import reads what is typed there
    assert noted.comment.text == NO_DATA_TEXT
    ws = xlsx_sheet(content, tmp_path, "Biểu 1.2")
    (money,) = [c for c in data_row(ws) if c.value == 3215.75]
    assert money.number_format == "General"  # shows what is typed, every decimal


def test_cached_consolidated_file_follows_a_unit_that_submits(
    demo, unit, make_user, tmp_path
):
    submitted_report(demo, unit, make_user, "703", {})
    province = unit("72")
    content, _name = files.consolidated_export(province, demo, "xlsx")
    ws = xlsx_sheet(content, tmp_path, "Biểu 1.2")
    by_label = {row[1].value: row[2].value for row in ws.iter_rows()}
    assert by_label["Huyện Tân Biên"] == "Chưa có báo cáo"
    # Tân Biên submits; no approved version changed, the file must.
    submitted_report(demo, unit, make_user, "705", {}, approve=False)
    content, _name = files.consolidated_export(province, demo, "xlsx")
    ws = xlsx_sheet(content, tmp_path, "Biểu 1.2")
    by_label = {row[1].value: row[2].value for row in ws.iter_rows()}
    assert by_label["Huyện Tân Biên"] == "Đã nộp, chưa duyệt"


def test_consolidation_page_prints_a_no_data_cell_with_its_note(
    client, demo, unit, make_user
):
    submitted_report(demo, unit, make_user, "705", NO_DATA)
    client.force_login(make_user("72", "reviewer"))
    page = client.get(f"/tong-hop/{unit('72').pk}/").content.decode()
    assert re.search(rf'<td class="no-data"[^>]*>{re.escape(NO_DATA_TEXT)}</td>', page)
