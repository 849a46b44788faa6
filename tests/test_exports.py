import datetime as dt
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from reports import cells, workflow
from reports.consolidation import consolidate
from reports.exports import data, pdf, xlsx
from reports.models import TableColumn
from reports.outline import table_layout
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db


def approved(round_, unit, staff, reviewer, *, seed=1, number="125/BC-MTTQ-BTT"):
    report = create_report(round_, unit)
    fill_report(report, staff, seed=seed)
    report.document_number = number
    report.document_date = dt.date(2020, 12, 10)
    report.signer_title = "Chủ tịch"
    report.signer_name = "Nguyễn Văn Huyện"
    report.recipients = "- Ban Thường trực Ủy ban MTTQ tỉnh;\n- Lưu: VT."
    report.save()
    version = workflow.submit_report(report, actor=staff)
    workflow.approve_report(report, actor=reviewer)
    return report, version


@pytest.fixture
def district(demo, unit, make_user):
    staff = make_user("705", "staff")
    reviewer = make_user("72", "reviewer")
    report, version = approved(demo, unit("705"), staff, reviewer)
    return report, version


@pytest.fixture
def province_consolidation(demo, unit, make_user):
    reviewer = make_user("72", "reviewer")
    for seed, code in enumerate(["705", "703", "707"], start=1):
        staff = make_user(code, "staff")
        approved(demo, unit(code), staff, reviewer, seed=seed)
    return consolidate(unit("72"), demo)


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


def test_vietnamese_numbers_and_dates():
    assert cells.format_number(Decimal("1234567.45")) == "1.234.567,45"
    assert cells.format_number(12) == "12"
    assert data.date_words(dt.date(2020, 10, 6)) == "ngày 06 tháng 10 năm 2020"
    assert data.date_words(dt.date(2021, 1, 5)) == "ngày 05 tháng 01 năm 2021"
    assert data.date_words(dt.date(2020, 3, 9)) == "ngày 09 tháng 3 năm 2020"


def test_district_header_names_its_committee_and_place(district):
    _, version = district
    doc = data.build_version_document(version)
    assert doc.header.parent_body == "ỦY BAN MTTQ VIỆT NAM HUYỆN TÂN BIÊN"
    assert doc.header.issuing_body == "BAN THƯỜNG TRỰC"
    assert doc.header.number_line == "Số: 125/BC-MTTQ-BTT"
    assert doc.header.place_date == "Tân Biên, ngày 10 tháng 12 năm 2020"
    assert doc.signature_lead == "TM. BAN THƯỜNG TRỰC"
    assert doc.signer_title == "CHỦ TỊCH"
    assert doc.recipients == ["Ban Thường trực Ủy ban MTTQ tỉnh;", "Lưu: VT."]
    assert doc.tables[0].attached_line == (
        "(Kèm theo Báo cáo số 125/BC-MTTQ-BTT ngày 10/12/2020)"
    )


def test_province_header_and_member_org_header(unit):
    province = unit("72")
    assert data.bodies(province)[0] == "ỦY BAN MTTQ VIỆT NAM TỈNH TÂY NINH"
    header = data.doc_header(province, {"document_date": "2020-10-06"})
    assert header.place_date == "Tây Ninh, ngày 06 tháng 10 năm 2020"
    farmers = unit("72-HND")
    assert data.bodies(farmers)[1] == "HỘI NÔNG DÂN TỈNH TÂY NINH"


def test_sections_follow_the_outline_with_answers(district):
    _, version = district
    doc = data.build_version_document(version)
    codes = [s.code for s in doc.sections]
    assert codes[:3] == ["I", "I.1", "I.2"]
    section = next(s for s in doc.sections if s.code == "II.1.1")
    assert section.number == "1.1."
    assert section.text.startswith("Kết quả mục II.1.1")
    assert section.shortcomings.startswith("Hạn chế mục II.1.1")


def test_version_document_is_built_in_a_few_queries(
    district, django_assert_max_num_queries
):
    _, version = district
    from reports.models import ReportVersion

    version = ReportVersion.objects.select_related(
        "report__unit__level", "report__unit__parent", "report__round", "template"
    ).get(pk=version.pk)
    with django_assert_max_num_queries(5):
        data.build_version_document(version)


def test_models_table_counts_models_by_content_area(district):
    _, version = district
    doc = data.build_version_document(version)
    table = next(t for t in doc.tables if t.code == "2")
    values = dict(
        zip([leaf.code for leaf in table.leaves], table.rows[0].values, strict=True)
    )
    assert values["mh-1"] == 1 and values["mh-2"] == 0 and values["mh-tong"] == 1


def expected_merges(table, top):
    """Merged ranges computed straight from the column tree (not from the layout)."""
    columns = list(table.columns.all())
    kids = {}
    for column in sorted(columns, key=lambda c: c.order):
        kids.setdefault(column.parent_id, []).append(column)

    def leaves(column):
        children = kids.get(column.pk, [])
        if not children:
            return [column]
        return [leaf for child in children for leaf in leaves(child)]

    def height(column):
        children = kids.get(column.pk, [])
        return 1 + max((height(c) for c in children), default=0)

    roots = kids.get(None, [])
    depth = max(height(r) for r in roots)
    order = [leaf.pk for root in roots for leaf in leaves(root)]
    merges = {f"A{top}:A{top + depth - 1}", f"B{top}:B{top + depth - 1}"}

    def walk(column, level):
        span = leaves(column)
        first = order.index(span[0].pk) + 3
        last = first + len(span) - 1
        bottom = top + level if kids.get(column.pk) else top + depth - 1
        if last > first or bottom > top + level:
            letter = openpyxl.utils.get_column_letter
            merges.add(f"{letter(first)}{top + level}:{letter(last)}{bottom}")
        for child in kids.get(column.pk, []):
            walk(child, level + 1)

    for root in roots:
        walk(root, 0)
    if depth == 1:
        merges -= {f"A{top}:A{top}", f"B{top}:B{top}"}
    return merges, depth, len(order)


def test_excel_header_merges_equal_each_tables_header_tree(district, tmp_path):
    report, version = district
    content = xlsx.render_xlsx(data.build_version_document(version))
    path = tmp_path / "unit.xlsx"
    path.write_bytes(content)
    wb = openpyxl.load_workbook(path)
    for table in report.template.tables.all():
        ws = wb[f"Biểu {table.code}"]
        merges, depth, width = expected_merges(table, xlsx.HEADER_TOP)
        last = openpyxl.utils.get_column_letter(width + 2)
        merges |= {f"A{r}:{last}{r}" for r in (1, 2, 3)}
        assert {str(r) for r in ws.merged_cells.ranges} == merges, table.code
        assert ws.freeze_panes == f"C{xlsx.HEADER_TOP + depth}"
        assert ws.print_title_rows == f"$5:${4 + depth}"
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9
        assert ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    sheet = wb["Biểu 1.1"]
    assert sheet["A1"].value.startswith("Biểu 1.1: Kết quả tham mưu")
    assert sheet["A2"].value == "(Kèm theo Báo cáo số 125/BC-MTTQ-BTT ngày 10/12/2020)"
    assert sheet["G7"].value == "Cấp huyện\n(có/không)"
    assert sheet["G8"].value == "Có"
    assert sheet["C8"].value.startswith("Kế hoạch số 1/KH-MTTQ ngày 15/03/2017")
    assert "Mô hình điển hình" in wb.sheetnames


def test_excel_numbers_are_numbers_with_vietnamese_formats(district, tmp_path):
    _, version = district
    path = tmp_path / "unit.xlsx"
    path.write_bytes(xlsx.render_xlsx(data.build_version_document(version)))
    ws = openpyxl.load_workbook(path)["Biểu 1.2"]
    row = xlsx.HEADER_TOP + 2
    layout = {c.code: c for c in TableColumn.objects.filter(table__code="1.2")}
    assert all(
        ws.cell(row=xlsx.CODES_ROW, column=i).value is None
        for i in range(1, ws.max_column + 1)
    ), "the codes row is only written in the round-trip template"
    values = [ws.cell(row=row, column=i) for i in range(3, 9)]
    assert all(isinstance(c.value, (int, float)) for c in values)
    assert values[0].number_format == "#,##0"
    assert values[3].number_format == "#,##0"  # money entered without decimals
    assert values[0].value == 10 + layout["xa-ntm"].order


def test_consolidated_excel_total_row_is_the_sum_of_unit_rows(
    province_consolidation, tmp_path
):
    doc = data.build_consolidated_document(province_consolidation)
    path = tmp_path / "tong-hop.xlsx"
    path.write_bytes(xlsx.render_xlsx(doc))
    ws = openpyxl.load_workbook(path)["Biểu 1.3"]
    first = xlsx.HEADER_TOP + 2
    rows = list(ws.iter_rows(min_row=first, values_only=True))
    at = [r[1] for r in rows].index("Tổng cộng")
    units, total = rows[:at], rows[at]
    # Member organisations have no Biểu 1.3 report here: the total is partial
    # and says so below the table.
    assert any("Tổng chưa đầy đủ" in str(r[0] or r[1]) for r in rows[at + 1 :])
    assert [r[1] for r in units][:2] == ["Thành phố Tây Ninh", "Huyện Tân Biên"]
    assert "Chưa có báo cáo" in [r[2] for r in units]  # never a silent blank row
    figures = [r for r in units if not isinstance(r[2], str)]
    for index in range(2, len(total)):
        assert total[index] == pytest.approx(sum(r[index] or 0 for r in figures))
    assert total[2] > 0
    yes_no = openpyxl.load_workbook(path)["Biểu 1.1"]
    rows = list(yes_no.iter_rows(min_row=xlsx.HEADER_TOP + 3, values_only=True))
    last = next(r for r in rows if r[1] == "Tổng cộng")
    # Seeds 1 and 3 say "có", seed 2 "không": the total counts the "có".
    assert last[6] == 2


def test_unit_pdf_holds_headings_unit_and_figures(district, tmp_path):
    _, version = district
    text = pdf_text(pdf.render_pdf(data.build_version_document(version)), tmp_path)
    for expected in [
        "ỦY BAN MTTQ VIỆT NAM",
        "HUYỆN TÂN BIÊN",
        "BAN THƯỜNG TRỰC",
        "MẶT TRẬN TỔ QUỐC VIỆT NAM",
        "Số: 125/BC-MTTQ-BTT",
        "Tân Biên, ngày 10 tháng 12 năm 2020",
        "BÁO CÁO",
        "I. CÔNG TÁC THAM MƯU",
        "Kết quả đạt được:",
        "Hạn chế, chưa được:",
        "Nơi nhận:",
        "TM. BAN THƯỜNG TRỰC",
        "Nguyễn Văn Huyện",
        "Biểu 1.2: Kết quả xây dựng nông thôn mới",
        "(Kèm theo Báo cáo số 125/BC-MTTQ-BTT ngày 10/12/2020)",
        "DANH SÁCH MÔ HÌNH ĐIỂN HÌNH TIÊN TIẾN",
    ]:
        assert expected in text, expected
    assert "16,0" in text  # Biểu 1.2 money: 10 + order, one decimal
    assert "BẢN NHÁP" not in text


def test_consolidated_pdf_holds_unit_rows_and_totals(province_consolidation, tmp_path):
    doc = data.build_consolidated_document(province_consolidation)
    text = pdf_text(pdf.render_pdf(doc), tmp_path)
    assert "ỦY BAN MTTQ VIỆT NAM" in text and "TỈNH TÂY NINH" in text
    for name in ["Huyện Tân Biên", "Thành phố Tây Ninh", "Huyện Tân Châu", "Tổng cộng"]:
        assert name in text
    table = next(t for t in doc.tables if t.code == "1.5")
    total = table.rows[-1].values[0]
    assert total == sum(r.values[0] or 0 for r in table.rows[:-1])
    assert cells.format_number(total) in text


def test_draft_pdf_and_excel_are_marked_as_draft(demo, unit, make_user, tmp_path):
    staff = make_user("705", "staff")
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    document = data.build_draft_document(report)
    text = pdf_text(pdf.render_pdf(document), tmp_path)
    assert "BẢN NHÁP" in text and "HUYỆN TÂN BIÊN" in text
    path = tmp_path / "nhap.xlsx"
    path.write_bytes(xlsx.render_xlsx(document))
    assert openpyxl.load_workbook(path)["Biểu 1.2"]["A1"].value.startswith("BẢN NHÁP")


def test_blank_form_has_the_outline_and_empty_tables(demo, tmp_path):
    template = demo.templates.get(code="xa")
    doc = data.build_blank_document(template)
    assert all(v is None for t in doc.tables for r in t.rows for v in r.values)
    text = pdf_text(pdf.render_pdf(doc), tmp_path)
    assert "Hạn chế, chưa được:" in text
    assert "Biểu 1.1" in text and "Cấp xã" in text
    assert "ngày …… tháng …… năm ……" in text


def test_layout_used_by_exports_matches_outline_layout(district):
    report, version = district
    table = report.template.tables.get(code="1.1")
    layout = table_layout(table, level_name="huyện")
    doc = data.build_version_document(version)
    block = doc.tables[0]
    assert [leaf.code for leaf in block.leaves] == [c.code for c in layout.leaves]


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def page_sizes(path):
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)
    return ["portrait" if float(w) < float(h) else "landscape" for w, h in sizes]


def page_text(path, number):
    return subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_pdf_body_is_portrait_appendix_landscape_numbered_from_page_two(
    province_consolidation, unit
):
    # Also leaves page images in test-artifacts/ for a person to look at.
    ARTIFACTS.mkdir(exist_ok=True)
    version = province_consolidation.tables[0].rows[1].version
    documents = {
        "export-district": data.build_version_document(version),
        "export-consolidated": data.build_consolidated_document(province_consolidation),
    }
    for name, document in documents.items():
        path = ARTIFACTS / f"{name}.pdf"
        path.write_bytes(pdf.render_pdf(document))
        sizes = page_sizes(path)
        assert sizes[0] == "portrait", name
        assert sizes[-1] == "landscape", name
        assert sizes == sorted(sizes, key=lambda s: s == "landscape"), name
        assert not page_text(path, 1).strip().startswith("1")
        assert page_text(path, 2).strip().startswith("2")
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(path), str(ARTIFACTS / name)],
            check=True,
        )
