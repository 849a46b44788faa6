"""The whole season in Chromium: deadline, report, return, fix, approval, totals.

Huyện Tân Biên (705) goes through every step in the browser. The other eight
districts and the five member organisations are filled and submitted through the
factories and the workflow (their pages are tested elsewhere); the province
approves them in the browser with the bulk approval.
"""

import datetime as dt
import io
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reports import cells, workflow
from reports.exports import xlsx
from reports.management.commands.seed_demo import DEMO_PASSWORD
from reports.models import (
    Deadline,
    Report,
    ReportStatus,
    TableColumn,
    Unit,
    UnitType,
)
from tests import files
from tests.conftest import ARTIFACTS, login, screenshot
from tests.factories import create_report, fill_report, value_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_LOCAL_DRAFTS = (
    "() => Object.keys(localStorage).filter(k => k.startsWith('sokket:')).length === 0"
)
TYPED = 12  # every whole-number box of Tân Biên's tables
MONEY = Decimal("1234.5")  # every money box, typed as 1.234,5
FIXED = 15  # the value the district types after the province's comment


def _prepare_other_units(round_, make_user):
    """The other districts and the member organisations, submitted; seeds by code."""
    seeds = {}
    units = Unit.objects.filter(parent__code="72").exclude(code="705").order_by("code")
    for seed, unit in enumerate(units, start=2):
        staff = make_user(unit.code, "staff")
        report = create_report(round_, unit)
        fill_report(report, staff, seed=seed)
        workflow.submit_report(report, actor=staff)
        seeds[unit.code] = seed
    return seeds


def _as(page, username):
    page.context.clear_cookies()
    login(page, username, DEMO_PASSWORD)


def _step(page, number, name):
    # Sticky parts (the editor's header and contents) are drawn where the page
    # was scrolled to: capture the whole page from its top.
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, f"season-{number:02d}-{name}")


def _saved(page):
    page.wait_for_function(NO_LOCAL_DRAFTS, timeout=30_000)
    expect(page.locator("#save-status")).to_contain_text("Đã lưu lúc")


def _fill_documents(page, cell_id, number):
    cell = page.locator(f"[id='{cell_id}']")
    cell.locator(".doc-add").click()
    row = cell.locator(".doc-row").first
    row.locator("[data-field=kind]").fill("Kế hoạch")
    row.locator("[data-field=number]").fill(number)
    row.locator("[data-field=date]").fill("18/08/2016")
    row.locator("[data-field=summary]").fill("Triển khai Cuộc vận động")


def _fill_the_editor(page):
    page.fill("#f-document_number", "45/BC-MTTQ-BTT")
    page.fill("#f-document_date", "06/10/2020")
    page.fill("#f-signer_title", "PHÓ CHỦ TỊCH")
    page.fill("#f-signer_name", "Nguyễn Văn Huyện")
    page.fill("#f-recipients", "Ban Thường trực Ủy ban MTTQ tỉnh\nLưu VP")
    sections = page.locator("form[data-part^='section:']")
    for i in range(sections.count()):
        form = sections.nth(i)
        code = form.get_attribute("data-part").split(":", 1)[1]
        areas = form.locator("textarea")
        areas.nth(0).fill(f"Kết quả mục {code}: đã triển khai đến 100% xã.")
        if areas.count() > 1:
            areas.nth(1).fill(f"Hạn chế mục {code}: một số nơi còn chậm.")
    for i, cell_id in enumerate(
        (
            "cell-1.1-vb-ct10",
            "cell-1.1-ctph-ubnd",
            "cell-1.1-ctph-nganh",
            "cell-1.1-hiep-thuong",
        ),
        start=1,
    ):
        _fill_documents(page, cell_id, f"{i}/KH-MTTQ-BTT")
    page.select_option("[id='cell-1.1-phat-dong-cap'] select", "co")
    page.select_option("[id='cell-1.1-quan-triet-cap'] select", "co")
    numbers = page.locator("form[data-part^='table:'] input.num")
    for i in range(numbers.count()):
        box = numbers.nth(i)
        money = box.get_attribute("data-type") == "money"
        box.fill("1.234,5" if money else str(TYPED))
    _saved(page)


def _download(page, link_name, path):
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    info.value.save_as(path)
    return path


def _pdf_text(path):
    """The PDF's words in reading order, wrapped cell lines joined by spaces."""
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())


def _column(unit_code, table_code, column_code):
    report = Report.objects.get(unit__code=unit_code)
    return TableColumn.objects.get(
        table__template=report.template, table__code=table_code, code=column_code
    )


def _expected_total(column, seeds):
    """Biểu 1.2 total of one column, from what the test typed and prepared."""
    districts = Unit.objects.filter(parent__code="72").exclude(
        unit_type=UnitType.TO_CHUC
    )
    total = Decimal(0)
    for unit in districts:
        if unit.code == "705":
            typed = MONEY if column.col_type == "money" else TYPED
            total += FIXED if column.code == "xa-ntm" else typed
        else:
            total += value_for(column, seeds[unit.code])["num"]
    return total


def test_the_whole_season_from_deadline_to_consolidated_downloads(
    browser_page, demo, make_user, tmp_path
):
    seeds = _prepare_other_units(demo, make_user)
    province = Unit.objects.get(code="72")
    page = browser_page

    # 1. The administrator moves the districts' deadline in the admin.
    _as(page, "quantri")
    page.goto(page.base_url + "/quan-tri/reports/deadline/")
    page.locator("#changelist-filter").get_by_role("link", name="huyện").click()
    page.locator("#result_list tbody tr th a").first.click()
    due = timezone.localdate() + dt.timedelta(days=20)
    page.fill("#id_due_date", due.strftime("%d/%m/%Y"))
    page.wait_for_load_state("networkidle")
    _step(page, 1, "admin-deadline")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_be_visible()
    rule = Deadline.objects.get(level__code="huyen", set_by=None, unit_type="")
    assert rule.due_date == due

    # 2. Tân Biên's staff see it at home, write the report and submit it.
    _as(page, "tanbien")
    card = page.locator(".task-card").filter(has_text="Huyện Tân Biên")
    expect(card).to_contain_text(due.strftime("%d/%m/%Y"))
    expect(card).to_contain_text("Còn 20 ngày")
    _step(page, 2, "home-district-deadline")
    page.goto(page.base_url + "/bao-cao/")
    page.get_by_role("button", name="Bắt đầu soạn báo cáo").click()
    page.wait_for_url("**/soan/")
    report = Report.objects.get(unit__code="705", round=demo)
    _fill_the_editor(page)
    _step(page, 3, "editor-filled")

    page.goto(f"{page.base_url}/bao-cao/{report.pk}/mo-hinh/")
    page.fill("input[name=name]", "Tổ hợp tác trồng mì công nghệ cao")
    page.select_option("select[name=content_area]", "II.1.1")
    page.fill("input[name=unit_in_charge]", "Hội Nông dân xã Thạnh Bắc")
    page.fill("input[name=year_started]", "2018")
    page.fill("textarea[name=description]", "Liên kết 30 hộ trồng mì theo VietGAP.")
    page.fill("textarea[name=results]", "Thu nhập tăng 25%; 12 hộ thoát nghèo.")
    page.click("#model-form button[type=submit]")
    expect(page.locator(".model-list")).to_contain_text("trồng mì công nghệ cao")
    _step(page, 4, "models")

    page.goto(f"{page.base_url}/bao-cao/{report.pk}/tep/")
    for kind, name in (
        ("signed_scan", "Báo cáo Tân Biên (bản ký).pdf"),
        ("supporting", "Số liệu nông thôn mới.pdf"),
    ):
        page.check(f"input[name=kind][value={kind}]")
        page.set_input_files(
            "input[name=file]",
            {"name": name, "mimeType": "application/pdf", "buffer": files.pdf()},
        )
        page.click("#upload-form button[type=submit]")
        expect(page.locator(".attachment-table")).to_contain_text(name)
    _step(page, 5, "attachments")

    page.goto(f"{page.base_url}/bao-cao/{report.pk}/nop/")
    expect(page.locator(".missing-items li")).to_have_count(0)
    page.get_by_role("button", name="Nộp báo cáo").click()
    page.wait_for_url(f"**/bao-cao/{report.pk}/")
    expect(page.locator(".report-status")).to_contain_text("Đã nộp")
    _step(page, 6, "submitted")

    # 3. The province pins a comment to a cell of Biểu 1.2 and returns the report.
    column = TableColumn.objects.get(
        table__template=report.template, table__code="1.2", code="xa-ntm"
    )
    _as(page, "tinh.pttg")
    page.get_by_role("link", name="Thẩm định").click()
    page.get_by_role("link", name="Huyện Tân Biên").click()
    page.wait_for_url(f"**/tham-dinh/{report.pk}/")
    page.wait_for_load_state()
    page.click(f"[data-comment-cell='{column.pk}']")
    form = page.locator("[data-comment-form='table-1.2']")
    form.locator("textarea").fill("Số xã đạt chuẩn nông thôn mới chưa khớp")
    form.get_by_role("button", name="Lưu góp ý").click()
    expect(page.locator(f"td[data-column='{column.pk}'].has-comment")).to_be_visible()
    page.fill("#return-reason", "Đề nghị rà soát lại Biểu 1.2")
    _step(page, 7, "review-comment")
    page.locator("[data-action='return'] button[type=submit]").click()
    expect(page.locator("#report-status")).to_have_text("Bị trả lại")

    # 4. The district answers, fixes the value and submits again.
    _as(page, "tanbien")
    page.goto(f"{page.base_url}/bao-cao/{report.pk}/gop-y/")
    expect(page.locator("#return-reason")).to_contain_text("rà soát lại Biểu 1.2")
    comment = page.locator("[data-comment]").first
    comment.locator("textarea").fill("Đã sửa: 9 xã theo Văn phòng điều phối")
    comment.get_by_label("Đã sửa").check()
    comment.get_by_role("button", name="Lưu trả lời").click()
    expect(page.get_by_text("Đã lưu câu trả lời góp ý.")).to_be_visible()
    _step(page, 8, "comment-answered")
    page.get_by_role("link", name="Sửa báo cáo").click()
    page.wait_for_url(f"**/bao-cao/{report.pk}/soan/")
    page.fill("[id='cell-1.2-xa-ntm'] input.num", str(FIXED))
    _saved(page)
    page.goto(f"{page.base_url}/bao-cao/{report.pk}/nop/")
    page.get_by_role("button", name="Nộp báo cáo").click()
    page.wait_for_url(f"**/bao-cao/{report.pk}/")
    expect(page.locator(".report-status")).to_contain_text("Đã nộp")

    # 5. The province reads the change and approves; then the rest in one go.
    _as(page, "tinh.pttg")
    page.goto(f"{page.base_url}/tham-dinh/{report.pk}/")
    page.get_by_role("link", name="Xem thay đổi so với lần trả lại").click()
    changed = page.locator(f"[data-table='1.2'] tr[data-column='{column.pk}']")
    expect(changed.locator("ins")).to_have_text(str(FIXED))
    expect(changed.locator("del")).to_have_text(str(TYPED))
    _step(page, 9, "diff")
    page.go_back()
    page.locator("[data-action='approve'] button[type=submit]").click()
    expect(page.locator("#report-status")).to_have_text("Đã duyệt")
    page.goto(f"{page.base_url}/tham-dinh/?status=submitted")
    boxes = page.locator("input[name=reports]")
    expect(boxes).to_have_count(len(seeds))
    for i in range(boxes.count()):
        boxes.nth(i).check()
    _step(page, 10, "bulk-selected")
    page.get_by_role("button", name="Duyệt các báo cáo đã chọn").click()
    expect(page.get_by_text(f"Đã duyệt {len(seeds)} báo cáo")).to_be_visible()
    _step(page, 11, "bulk-approved")
    children = Report.objects.filter(unit__parent=province, round=demo)
    assert set(children.values_list("status", flat=True)) == {ReportStatus.APPROVED}

    # 6. The consolidated tables, the downloads, then the pre-filled report.
    page.goto(f"{page.base_url}/tong-hop/{province.pk}/")
    tan_bien = page.locator("#bieu-1\\.2 tbody tr").filter(has_text="Huyện Tân Biên")
    expect(tan_bien).to_contain_text(str(FIXED))
    _step(page, 12, "consolidation")
    page.goto(f"{page.base_url}/don-vi/{province.pk}/")
    book = _download(page, "Tổng hợp (Excel)", tmp_path / "tong-hop.xlsx")
    summary = _download(page, "Tổng hợp (PDF)", tmp_path / "tong-hop.pdf")
    page.goto(f"{page.base_url}/bao-cao/{report.pk}/")
    district_pdf = _download(page, "Tải PDF", tmp_path / "tan-bien.pdf")
    for path in (book, summary, district_pdf):
        (ARTIFACTS / f"season-{path.name}").write_bytes(path.read_bytes())

    ws = openpyxl.load_workbook(io.BytesIO(book.read_bytes()))["Biểu 1.2"]
    rows = list(ws.iter_rows(min_row=xlsx.HEADER_TOP + 2, values_only=True))
    names = [row[1] for row in rows]
    total = rows[names.index("Tổng cộng")]
    own = rows[names.index("Huyện Tân Biên")]
    leaves = list(
        TableColumn.objects.filter(table__template=report.template, table__code="1.2")
        .exclude(col_type="")
        .order_by("order")
    )
    first = 2  # STT, Đơn vị, then the leaf columns in order
    assert own[first] == FIXED
    for index, leaf in enumerate(leaves, start=first):
        assert Decimal(str(total[index])) == _expected_total(leaf, seeds), leaf.code

    # Biểu 1.5 is asked of the member organisations too: they count in its total.
    sheet = openpyxl.load_workbook(io.BytesIO(book.read_bytes()))["Biểu 1.5"]
    rows = list(sheet.iter_rows(min_row=xlsx.HEADER_TOP + 2, values_only=True))
    names = [row[1] for row in rows]
    assert "Hội Nông dân tỉnh" in names
    expected = TYPED + sum(
        value_for(_column(code, "1.5", "giam-sat"), seed)["num"]
        for code, seed in seeds.items()
    )
    assert rows[names.index("Tổng cộng")][first] == expected

    text = _pdf_text(summary)
    for expected in ["ỦY BAN MTTQ VIỆT NAM", "TỈNH TÂY NINH", "Tổng cộng"]:
        assert expected in text
    for unit in Unit.objects.filter(parent=province):  # orgs are in Biểu 1.5
        assert unit.name in text
    # Biểu 1.2 in reading order: Tân Biên's row after the fix, then the totals
    # of the whole-number columns (xã, xã nâng cao, huyện).
    assert f"Huyện Tân Biên {FIXED} {TYPED} {TYPED} 1.234,5 " in text
    integers = [
        cells.format_number(_expected_total(leaf, seeds)) for leaf in leaves[:3]
    ]
    assert f"Tổng cộng {' '.join(integers)} " in text
    text = _pdf_text(district_pdf)
    for expected in ["HUYỆN TÂN BIÊN", "BÁO CÁO", "Số: 45/BC-MTTQ-BTT", "PHÓ CHỦ TỊCH"]:
        assert expected in text
    assert "Tổ hợp tác trồng mì công nghệ cao" in text
    assert "Kết quả mục II.1.3: đã triển khai đến 100% xã." in text
    assert " 1.234,5 " in text

    _as(page, "tinh.soanthao")
    page.goto(f"{page.base_url}/tong-hop/{province.pk}/")
    page.get_by_role("button", name="Tạo báo cáo của đơn vị").click()
    expect(page.get_by_text("Đã tạo báo cáo của đơn vị")).to_be_visible()
    _step(page, 13, "prefill")
    prefilled = Report.objects.get(unit=province, round=demo)
    assert prefilled.prefill_sources.count() == len(seeds) + 1
    # The province's own draft starts from the totals of the approved reports.
    page.get_by_role("link", name="Mở báo cáo để soạn tiếp").click()
    page.wait_for_url(f"**/bao-cao/{prefilled.pk}/soan/")
    xa_ntm = page.locator("[id='cell-1.2-xa-ntm'] input.num")
    expect(xa_ntm).to_have_value(str(_expected_total(leaves[0], seeds)))
    _step(page, 14, "prefilled-editor")
