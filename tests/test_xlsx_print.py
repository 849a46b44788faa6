"""The Excel workbook as a clerk prints it: opened by LibreOffice Calc (a real
office client), each unit's text stays inside its own row."""

import re

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText

from reports.exports import data, xlsx
from tests import test_exports
from tests.test_docx_export import SOFFICE, page_images, soffice_convert
from tests.test_pdf_layout import pages

pytestmark = pytest.mark.django_db

district = test_exports.district
province_consolidation = test_exports.province_consolidation


def nonspace(text):
    return re.sub(r"\s", "", str(text))


def row_chars(row):
    """The characters a row shows in its cells (what Calc prints for it)."""
    parts = [row.number, row.label]
    if row.status:
        parts.append(str(row.status))
    if not row.is_empty:
        parts += [row.text(i) for i in range(len(row.values))]
    return len(nonspace("".join(parts)))


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_prints_each_units_text_inside_its_own_row(
    province_consolidation, tmp_path
):
    document = data.build_consolidated_document(province_consolidation)
    table = document.tables[0]  # Biểu 1.1: several document lines per unit
    document.tables = [table]
    document.models = []
    source = tmp_path / "tong-hop.xlsx"
    source.write_bytes(xlsx.render_xlsx(document))
    converted = soffice_convert(source, "pdf", tmp_path)
    found = pages(converted.read_bytes(), tmp_path)
    checked = 0
    for _w, _height, words in found:
        # The top of each unit row: its STT number in the first column.
        lead_x = min(w[0] for w in words)
        tops = {}
        for row in table.rows:
            key = row.number or "Tổng"
            hits = [w for w in words if w[4] == key and w[0] < lead_x + 15]
            if hits:
                tops[row.number] = min(h[1] for h in hits)
        ordered = [r for r in table.rows if r.number in tops]
        for row, below in zip(ordered, ordered[1:], strict=False):
            top, bottom = tops[row.number] - 2, tops[below.number] - 2
            inside = sum(len(w[4]) for w in words if top <= w[1] < bottom)
            assert inside == row_chars(row), (row.label, inside, row_chars(row))
            checked += 1
    assert checked >= 3
    # Page images for a person to look at (the whole workbook).
    whole = data.build_consolidated_document(province_consolidation)
    source.write_bytes(xlsx.render_xlsx(whole))
    converted = soffice_convert(source, "pdf", tmp_path)
    page_images(converted, "export-consolidated-xlsx")


def test_sheets_print_page_numbers_italic_hints_and_plain_years(district, tmp_path):
    _, version = district
    path = tmp_path / "unit.xlsx"
    path.write_bytes(xlsx.render_xlsx(data.build_version_document(version)))
    book = openpyxl.load_workbook(path, rich_text=True)
    for sheet in book.worksheets:
        assert "&P" in sheet.oddFooter.center.text, sheet.title
    head = book["Biểu 1.1"]["C5"].value
    assert isinstance(head, CellRichText)
    bold, hint = head
    assert bold.font.b and not bold.font.i
    assert hint.font.i and "ghi rõ" in hint.text
    models = book["Mô hình điển hình"]
    year = next(c for c in models[3] if c.value == 2017)
    assert year.number_format == "0"
    # A row whose documents wrap onto two lines is tall enough for both.
    sheet = book["Biểu 1.1"]
    first = xlsx.HEADER_TOP + 3
    assert sheet.row_dimensions[first].height >= 2 * xlsx.LINE_HEIGHT
