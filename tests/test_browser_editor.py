"""A district's staff fills a whole report in the editor, reloads, and submits."""

import pytest

from reports.models import (
    AttachmentKind,
    ExemplaryModel,
    Report,
    ReportStatus,
)
from tests.conftest import ARTIFACTS, PASSWORD, login, screenshot
from tests.factories import TINY_PDF, add_attachment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_LOCAL_DRAFTS = (
    "() => Object.keys(localStorage).filter(k => k.startsWith('sokket:')).length === 0"
)


def _fill_documents(page, cell_id, docs):
    cell = page.locator(f"[id='{cell_id}']")
    for i, (kind, number, date, summary) in enumerate(docs):
        cell.locator(".doc-add").click()
        row = cell.locator(".doc-row").nth(i)
        row.locator("[data-field=kind]").fill(kind)
        row.locator("[data-field=number]").fill(number)
        row.locator("[data-field=date]").fill(date)
        row.locator("[data-field=summary]").fill(summary)


def test_district_staff_fills_whole_report_reloads_and_submits(
    browser_page, demo, make_user, unit
):
    user = make_user("705", "staff", username="soan.tanbien")
    page = browser_page
    login(page, "soan.tanbien", PASSWORD)
    page.goto(page.base_url + "/bao-cao/")
    page.get_by_role("button", name="Bắt đầu soạn báo cáo").click()
    page.wait_for_url("**/soan/")
    report = Report.objects.get(unit__code="705")

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
    page.fill("[id='section-II.5-text']", "<script>alert('x')</script> Kiến nghị")

    _fill_documents(
        page,
        "cell-1.1-vb-ct10",
        [
            ("Kế hoạch", "159/KH-MTTQ-BTT", "18/08/2016", "Triển khai Chỉ thị 10"),
            ("Nghị quyết", "05-NQ/HU", "02/03/2017", "Lãnh đạo thực hiện CVĐ"),
        ],
    )
    for cell_id in (
        "cell-1.1-ctph-ubnd",
        "cell-1.1-ctph-nganh",
        "cell-1.1-hiep-thuong",
    ):
        _fill_documents(
            page,
            cell_id,
            [("Chương trình phối hợp", "12/CTPH", "11/09/2017", "NQLT 88")],
        )
    page.select_option("[id='cell-1.1-phat-dong-cap'] select", "co")
    page.select_option("[id='cell-1.1-quan-triet-cap'] select", "khong")

    numbers = page.locator("form[data-part^='table:'] input.num")
    for i in range(numbers.count()):
        box = numbers.nth(i)
        box.fill("1.234,5" if box.get_attribute("data-type") == "money" else "12")
    page.fill("[id='cell-1.4-tong-ho'] input", "200")
    page.fill("[id='cell-1.4-ho-dat'] input", "150")
    # The percentage is computed by the server and shown when the table saves.
    page.wait_for_function(
        "() => document.querySelector(\"[id='cell-1.4-ty-le-ho'] output\")"
        ".textContent === '75'",
        timeout=20_000,
    )
    # Biểu 1.5 has no complaints resolved: marked "không có số liệu" with a note.
    page.check("[id='cell-1.5-kien-nghi-gq'] .no-data")
    page.fill("[id='cell-1.5-kien-nghi-gq'] .no-data-note", "Chưa thống kê riêng")

    page.wait_for_function(NO_LOCAL_DRAFTS, timeout=30_000)
    assert "Đã lưu lúc" in page.inner_text("#save-status")
    screenshot(page, "editor-desktop-filled")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + f"/bao-cao/{report.pk}/")
    page.goto(page.base_url + f"/bao-cao/{report.pk}/soan/")
    # On a phone the table of contents is folded.
    assert page.eval_on_selector(".editor-toc", "e => e.open") is False
    screenshot(page, "editor-phone")
    page.locator("[id='table-1.1']").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "editor-phone-table.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    page.reload()
    assert page.input_value("#f-document_date") == "06/10/2020"
    assert "đã triển khai" in page.input_value("[id='section-I.1-text']")
    assert "một số nơi" in page.input_value("[id='section-II.1.3-shortcomings']")
    assert page.input_value("[id='section-II.5-text']").startswith("<script>")
    docs = page.locator("[id='cell-1.1-vb-ct10'] .doc-row")
    assert docs.count() == 2
    assert docs.nth(1).locator("[data-field=number]").input_value() == "05-NQ/HU"
    assert docs.nth(1).locator("[data-field=date]").input_value() == "02/03/2017"
    assert page.input_value("[id='cell-1.3-quy-tinh'] input") == "1.234,5"
    assert page.inner_text("[id='cell-1.4-ty-le-ho'] output") == "75"
    assert page.is_checked("[id='cell-1.5-kien-nghi-gq'] .no-data")
    assert page.locator(".completeness.text-bg-warning").count() == 0

    # The exemplary model and the signed scan come from other pages.
    ExemplaryModel.objects.create(
        report=report,
        name="Mô hình tuyến đường hoa",
        content_area="II.1.3",
        unit_in_charge="Ban Thường trực",
        year_started=2018,
    )
    add_attachment(report, user, AttachmentKind.SIGNED_SCAN, TINY_PDF, "ky.pdf")

    page.goto(page.base_url + f"/bao-cao/{report.pk}/nop/")
    assert page.locator(".missing-items li").count() == 0
    page.get_by_role("button", name="Nộp báo cáo").click()
    page.wait_for_url(f"**/bao-cao/{report.pk}/")
    assert "Đã nộp" in page.inner_text(".report-status")
    # The script typed is shown as text, never run.
    assert "<script>alert('x')</script>" in page.inner_text("#answer-II\\.5")
    screenshot(page, "report-detail-submitted")

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    version = report.versions.get()
    assert version.answers["II.1.3"]["shortcomings"].startswith("Hạn chế mục II.1.3")
    assert version.cells.filter(column__code="vb-ct10").get().docs[1]["number"] == (
        "05-NQ/HU"
    )
    assert report.template.frozen_at is not None
    # Submitted: the editor sends the unit to the read-only page.
    page.goto(page.base_url + f"/bao-cao/{report.pk}/soan/")
    assert page.url.endswith(f"/bao-cao/{report.pk}/")


def _saved(page):
    page.wait_for_function(NO_LOCAL_DRAFTS, timeout=20_000)


def test_two_tabs_an_expired_session_and_a_local_copy_lose_nothing(
    browser_page, demo, make_user, unit
):
    from reports.drafts import start_report
    from reports.models import Answer

    make_user("705", "staff", username="hai.the")
    report = start_report(unit("705"), demo)
    url = browser_page.base_url + f"/bao-cao/{report.pk}/soan/"
    tab_a = browser_page
    login(tab_a, "hai.the", PASSWORD)
    tab_a.goto(url)
    tab_b = tab_a.context.new_page()
    tab_b.goto(url)

    # Same section from two tabs: the later save is refused, both texts shown.
    tab_a.fill("[id='section-I.1-text']", "Bản của thẻ A")
    _saved(tab_a)
    tab_b.fill("[id='section-I.1-text']", "Bản của thẻ B")
    conflict = tab_b.locator("[id='section-I.1'] [data-kind=conflict]")
    conflict.wait_for()
    assert "vừa được lưu" in conflict.inner_text()
    copies = conflict.locator(".copy-block")
    assert "Bản của thẻ A" in copies.nth(0).inner_text()
    assert "Bản của thẻ B" in copies.nth(1).inner_text()
    screenshot(tab_b, "editor-conflict")
    tab_b.get_by_role("button", name="Giữ bản của tôi").click()
    _saved(tab_b)
    assert Answer.objects.get(report=report, section__code="I.1").text == (
        "Bản của thẻ B"
    )
    tab_b.close()

    # The session ends: the text stays on this machine until the person logs in.
    tab_a.context.clear_cookies()
    tab_a.fill("[id='section-I.2-text']", "Gõ khi đã hết phiên")
    alert = tab_a.locator("#session-alert")
    alert.wait_for(state="visible")
    assert "đăng nhập lại" in alert.inner_text()
    assert tab_a.evaluate(NO_LOCAL_DRAFTS) is False
    other = tab_a.context.new_page()
    other.base_url = tab_a.base_url
    login(other, "hai.the")
    other.close()
    alert.get_by_role("button", name="Thử lại").click()
    _saved(tab_a)
    assert Answer.objects.get(report=report, section__code="I.2").text == (
        "Gõ khi đã hết phiên"
    )

    # A copy left on this machine (browser closed before saving) is offered back.
    tab_a.evaluate(
        """key => localStorage.setItem(key, JSON.stringify(
            {at: Date.now(), base: 0, fields: [["text", "Bản nháp trên máy"]]}))""",
        f"sokket:report:{report.pk}:section:I.3",
    )
    tab_a.reload()
    offer = tab_a.locator("[id='section-I.3'] [data-kind=restore]")
    assert "Bản nháp trên máy" in offer.inner_text()
    offer.get_by_role("button", name="Khôi phục").click()
    _saved(tab_a)
    assert Answer.objects.get(report=report, section__code="I.3").text == (
        "Bản nháp trên máy"
    )

    # A copy typed on a revision the server has moved past is not restored
    # over the newer text: both are shown, as between two tabs.
    tab_a.evaluate(
        """key => localStorage.setItem(key, JSON.stringify(
            {at: Date.now(), base: 0, fields: [["text", "Bản cũ trên máy"]]}))""",
        f"sokket:report:{report.pk}:section:I.1",
    )
    tab_a.reload()
    offer = tab_a.locator("[id='section-I.1'] [data-kind=restore]")
    offer.get_by_role("button", name="Khôi phục").click()
    conflict = tab_a.locator("[id='section-I.1'] [data-kind=conflict]")
    conflict.wait_for()
    assert "Bản của thẻ B" in conflict.locator(".copy-block").nth(0).inner_text()
    assert Answer.objects.get(report=report, section__code="I.1").text == (
        "Bản của thẻ B"
    )


def test_a_refused_figure_survives_leaving_and_another_browser_and_blocks_submit(
    browser_page, demo, make_user, unit
):
    from decimal import Decimal

    from reports import workflow
    from reports.models import ReviewComment, TableColumn
    from tests.factories import create_report, fill_report

    staff = make_user("705", "staff", username="sua.tanbien")
    reviewer = make_user("72", "reviewer")
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    workflow.submit_report(report, actor=staff)
    money = TableColumn.objects.get(table__template=report.template, code="tien")
    workflow.add_comment(report, actor=reviewer, text="Số tiền chưa đúng", column=money)
    workflow.return_report(report, actor=reviewer, reason="Sửa số tiền")
    workflow.answer_comment(
        ReviewComment.objects.get(report=report), actor=staff, fixed=True
    )
    editor_url = browser_page.base_url + f"/bao-cao/{report.pk}/soan/"
    cell = "[id='cell-1.2-tien']"

    page = browser_page
    login(page, "sua.tanbien")
    page.goto(editor_url)
    page.click(f"{cell} input.num")
    page.fill(f"{cell} input.num", "5.800")
    page.locator(f"{cell} .field-error").wait_for()
    assert "chưa rõ nghĩa" in page.inner_text(f"{cell} .field-error")
    page.wait_for_function(NO_LOCAL_DRAFTS, timeout=20_000)
    screenshot(page, "editor-refused-value")

    # Leaving asks first: the value is kept, but not in the report until fixed.
    dialogs = []

    def leave(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave)
    page.goto(page.base_url + f"/bao-cao/{report.pk}/")
    assert dialogs == ["beforeunload"]

    # Another computer: a new browser context, a new login.
    other = page.context.browser.new_context(locale="vi-VN")
    try:
        second = other.new_page()
        second.set_default_timeout(15_000)
        second.base_url = page.base_url
        login(second, "sua.tanbien")
        second.goto(editor_url)
        field = second.locator(f"{cell} input.num")
        assert field.input_value() == "5.800"
        assert "is-invalid" in field.get_attribute("class")
        assert "chưa rõ nghĩa" in second.inner_text(f"{cell} .field-error")

        second.goto(second.base_url + f"/bao-cao/{report.pk}/nop/")
        items = second.locator(".missing-items li")
        assert items.count() == 1 and "5.800" in items.inner_text()
        assert second.get_by_role("button", name="Nộp báo cáo").count() == 0
        assert "Giá trị ô này chưa thay đổi" in second.content()
        items.locator("a").click()
        second.wait_for_url("**/soan/#cell-1.2-tien")

        second.fill(f"{cell} input.num", "5800")
        second.wait_for_function(NO_LOCAL_DRAFTS, timeout=20_000)
        second.locator(f"{cell} .field-error").wait_for(state="detached")
        assert second.locator(f"{cell} input.num").input_value() == "5800"
        second.goto(second.base_url + f"/bao-cao/{report.pk}/nop/")
        assert second.locator(".missing-items li").count() == 0
        second.get_by_role("button", name="Nộp báo cáo").click()
        second.wait_for_url(f"**/bao-cao/{report.pk}/")
    finally:
        other.close()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    latest = report.versions.order_by("-number").first()
    assert latest.number == 2
    assert latest.cells.get(column=money).num == Decimal(5800)
