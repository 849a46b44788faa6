"""The report in Word: read back with python-docx, compared with the Excel and
PDF built from the same document."""

import io
import shutil
import subprocess
import time
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from reports import cells
from reports.exports import data, files, pdf, xlsx
from reports.exports import docx as word
from reports.models import Section
from tests import test_exports
from tests.test_exports import expected_merges, pdf_text

district = test_exports.district
province_consolidation = test_exports.province_consolidation

pytestmark = pytest.mark.django_db

HEADINGS = {"Heading 1": 0, "Heading 2": 1, "Heading 3": 2}


def read(content):
    return docx.Document(io.BytesIO(content))


def boxes(table, depth):
    """(row, column, rowspan, colspan, text) of each header cell as Word stores
    it: gridSpan for columns, vMerge restart/continue for rows."""
    found = {}
    for r, tr in enumerate(table._tbl.tr_lst[:depth]):
        c = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            v_merge = tc.vMerge
            if v_merge == "continue":
                top = next(
                    k
                    for k in found
                    if k[1] == c and k[0] < r and found[k][0] + k[0] == r
                )
                found[top] = (found[top][0] + 1, found[top][1], found[top][2])
            else:
                text = "".join(t.text for t in tc.iter(qn("w:t")))
                found[(r, c)] = (1, span, text)
            c += span
    return {(r, c, rs, cs, text) for (r, c), (rs, cs, text) in found.items()}


def test_headings_follow_the_outline_in_order(district):
    report, version = district
    document = read(word.render_docx(data.build_version_document(version)))
    headings = [
        (HEADINGS[p.style.name], p.text)
        for p in document.paragraphs
        if p.style.name in HEADINGS
    ]
    sections = list(Section.objects.filter(template=report.template).order_by("order"))
    assert len(headings) == len(sections) > 10
    codes = [s.code for s in sections]
    for (level, text), section in zip(headings, sections, strict=True):
        # I -> Heading 1, I.1 -> Heading 2, II.1.1 -> Heading 3
        assert level == section.code.count("."), section.code
        assert text.endswith(section.title), section.code
    assert headings[0][1].startswith("I. ") and codes[0] == "I"


def test_biểu_11_header_is_the_seeds_merged_header(district):
    report, version = district
    document = read(word.render_docx(data.build_version_document(version)))
    grid = next(
        t
        for t in document.tables
        if len(t.columns) > 2 and "Chỉ thị 10" in t.rows[0].cells[2].text
    )
    table = report.template.tables.get(code="1.1")
    merges, depth, width = expected_merges(table, 1)
    assert depth == 3 and width == 6
    found = boxes(grid, depth)
    letter = openpyxl.utils.get_column_letter
    spans = {
        f"{letter(c + 1)}{r + 1}:{letter(c + cs)}{r + rs}"
        for r, c, rs, cs, _text in found
        if rs > 1 or cs > 1
    }
    assert spans == merges
    texts = {(r, c): text for r, c, _rs, _cs, text in found}
    # The seed's header, row by row (PHỤ LỤC, Biểu 1.1).
    assert texts[(0, 0)] == "STT" and texts[(0, 1)] == "Đơn vị"
    assert texts[(0, 2)].startswith("Văn bản triển khai thực hiện Chỉ thị 10")
    assert texts[(0, 3)].startswith("Văn bản triển khai thực hiện NQLT")
    assert texts[(0, 5)].startswith("Hiệp thương phân công")
    assert texts[(0, 6)].startswith("Tổ chức tập huấn, quán triệt triển khai")
    assert texts[(1, 3)].startswith("Chương trình phối hợp giữa UBND")
    assert texts[(1, 4)].startswith("Chương trình phối hợp giữa MTTQ")
    assert texts[(1, 6)].startswith("Tổ chức phát động")
    assert texts[(2, 6)] == texts[(2, 7)] == "Cấp huyện (có/không)"
    header_rows = grid.rows[:depth]
    assert all(r._tr.trPr.find(qn("w:tblHeader")) is not None for r in header_rows)
    assert grid.rows[depth]._tr.trPr.find(qn("w:tblHeader")) is None


def word_rows(grid, depth):
    return [[cell.text for cell in row.cells] for row in grid.rows[depth:]]


def test_same_figures_as_excel_and_pdf(province_consolidation, tmp_path):
    document = data.build_consolidated_document(province_consolidation)
    word_doc = read(word.render_docx(document))
    path = tmp_path / "th.xlsx"
    path.write_bytes(xlsx.render_xlsx(document))
    book = openpyxl.load_workbook(path)
    text = pdf_text(pdf.render_pdf(document), tmp_path)
    grids = [t for t in word_doc.tables if t.rows[0].cells[0].text == "STT"]
    compared = 0
    for block, grid in zip(document.tables, grids, strict=False):
        depth = len(block.header_rows)
        sheet = book[xlsx.sheet_name(block)]
        excel = list(sheet.iter_rows(min_row=xlsx.HEADER_TOP + depth, values_only=True))
        for row, excel_row in zip(word_rows(grid, depth), excel, strict=False):
            assert row[1].split("\n")[0] == excel_row[1], block.code
            for value, cell in zip(row[2:], excel_row[2:], strict=False):
                if isinstance(cell, (int, float)) and not isinstance(cell, bool):
                    figure = value.removesuffix(cells.PARTIAL_MARK)
                    number = Decimal(figure.replace(".", "").replace(",", "."))
                    assert number == Decimal(str(cell)), (block.code, value, cell)
                    assert value in text, (block.code, value)
                    compared += 1
                elif cell is not None and row[2:].count(value) and value:
                    assert str(cell).split("\n")[0] in value or value in str(cell)
    assert compared > 30
    # The province's consolidated report labels its levels as the province's
    # own form does (the seed: "Cấp tỉnh"), in all three files.
    assert "Cấp tỉnh (có/không)" in text
    assert "Cấp huyện (có/không)" not in text
    assert book["Biểu 1.1"]["G7"].value == "Cấp tỉnh\n(có/không)"
    assert grids[0].rows[2].cells[6].text == "Cấp tỉnh (có/không)"
    assert "Tổng cộng" in [r[1] for g in grids for r in word_rows(g, 1)]
    assert "Chưa có báo cáo" in "".join(c.text for g in grids for c in g._cells)


def test_nd30_layout_page_numbers_from_page_two_and_landscape_biểu(district):
    _, version = district
    document = read(word.render_docx(data.build_version_document(version)))
    body, *appendix = document.sections
    assert body.orientation == WD_ORIENT.PORTRAIT
    assert body.different_first_page_header_footer
    assert "PAGE" in body.header._element.xml
    assert not "".join(p.text for p in body.first_page_header.paragraphs)
    assert appendix and all(s.orientation == WD_ORIENT.LANDSCAPE for s in appendix)
    for section in document.sections:
        assert section.left_margin >= Mm(30)
        assert Mm(20) <= section.top_margin <= Mm(25)
        assert Mm(20) <= section.bottom_margin <= Mm(25)
    head = document.tables[0]
    assert head.rows[1].cells[0].text == "Số: 125/BC-MTTQ-BTT"
    assert head.rows[1].cells[1].text == "Tân Biên, ngày 10 tháng 12 năm 2020"
    assert 'w:val="nil"' in head._tbl.tblPr.xml  # borderless
    texts = [p.text for p in document.paragraphs]
    appendix_at = texts.index("PHỤ LỤC")
    assert texts[appendix_at + 1].startswith("Kết quả thực hiện Cuộc vận động “")
    assert texts[appendix_at + 2].startswith("Biểu 1.1: ")
    subject = texts[texts.index("BÁO CÁO") + 1]
    assert "“" in subject and '"' not in subject


def test_district_docx_is_built_within_a_second(district):
    _, version = district
    start = time.perf_counter()
    content = word.render_docx(data.build_version_document(version))
    elapsed = time.perf_counter() - start
    assert content.startswith(b"PK")
    print(f"docx of a district report: {elapsed:.3f} s")
    assert elapsed <= 1.0, elapsed


def test_download_views_and_command(district, client, make_user, unit, tmp_path):
    report, version = district
    client.force_login(make_user("705", "staff", username="nv705"))
    response = client.get(reverse("export_docx", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == files.CONTENT_TYPES["docx"]
    assert f'lan-{version.number}.docx"' in response["Content-Disposition"]
    read(b"".join(response.streaming_content))
    client.force_login(make_user("72", "reviewer", username="bt72"))
    response = client.get(reverse("export_consolidated_docx", args=[unit("72").pk]))
    assert response.status_code == 200
    assert "Huyện Tân Biên" in "".join(
        c.text
        for t in read(b"".join(response.streaming_content)).tables
        for c in t._cells
    )
    out = tmp_path / "tong-hop.docx"
    call_command(
        "export_report",
        "--round",
        report.round.code,
        "--unit",
        "72",
        "--consolidated",
        "--format",
        "docx",
        f"--output={out}",
    )
    assert read(out.read_bytes()).paragraphs
    page = client.get(reverse("unit_detail", args=[unit("72").pk])).content.decode()
    assert reverse("export_consolidated_docx", args=[unit("72").pk]) in page


def test_blank_form_in_word_has_dotted_lines_not_dots(demo):
    template = demo.templates.get(code="xa")
    content = word.render_docx(data.build_blank_document(template))
    document = read(content)
    assert "Cấp xã (có/không)" in "".join(
        c.text for t in document.tables for c in t._cells
    )
    assert 'w:leader="dot"' in document.element.xml
    assert len(content) < 100_000


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def page_images(pdf_path, name):
    """PNG pages of ``pdf_path`` in test-artifacts/ for a person to look at."""
    test_exports.ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-png",
            str(pdf_path),
            str(test_exports.ARTIFACTS / name),
        ],
        check=True,
    )


def soffice_convert(path, fmt, outdir):
    """``path`` converted by LibreOffice headless (its own profile: runs in
    parallel with another office instance)."""
    profile = outdir / "lo-profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return outdir / f"{path.stem}.{fmt.split(':')[0]}"


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_word_file_opens_in_libreoffice_as_printed(province_consolidation, tmp_path):
    # Leaves page images in test-artifacts/ for a person to look at.
    document = data.build_consolidated_document(province_consolidation)
    source = tmp_path / "tong-hop.docx"
    source.write_bytes(word.render_docx(document))
    converted = soffice_convert(source, "pdf", tmp_path)
    text = pdf_text(converted.read_bytes(), tmp_path)
    for expected in [
        "Số:",
        "BÁO CÁO",
        "PHỤ LỤC",
        "Biểu 1.1:",
        "Tổng cộng",
        "Nơi nhận:",
    ]:
        assert expected in text, expected
    sizes = test_exports.page_sizes(converted)
    assert sizes[0] == "portrait" and sizes[-1] == "landscape"
    assert test_exports.page_text(converted, 2).strip().startswith("2")
    page_images(converted, "export-consolidated-docx")
