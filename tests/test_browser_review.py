from decimal import Decimal

import pytest

from reports import workflow
from reports.models import Cell, ReportStatus, TableColumn
from tests.conftest import PASSWORD, login, screenshot
from tests.factories import create_report, fill_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_returns_with_a_cell_comment_district_fixes_reviewer_approves(
    browser_page, demo, unit, make_user
):
    staff = make_user("705", "staff", username="canbo.tanbien")
    make_user("72", "reviewer", username="pttg.tinh")
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    workflow.submit_report(report, actor=staff)
    column = (
        TableColumn.objects.filter(table__template=report.template, table__code="1.2")
        .exclude(col_type="")
        .order_by("order")
        .first()
    )
    page = browser_page

    # The provincial reviewer finds the report in the list and pins a comment
    # to a cell of Biểu 1.2.
    login(page, "pttg.tinh", PASSWORD)
    page.get_by_role("link", name="Thẩm định").click()
    assert page.locator(f"input[name=reports][value='{report.pk}:1']").is_visible()
    screenshot(page, "review-list-desktop")
    page.get_by_role("link", name="Huyện Tân Biên").click()
    page.click(f"[data-comment-cell='{column.pk}']")
    form = page.locator("[data-comment-form='table-1.2']")
    assert form.locator("select").input_value() == str(column.pk)
    form.locator("textarea").fill("Số xã đạt chuẩn nông thôn mới chưa khớp báo cáo")
    form.get_by_role("button", name="Lưu góp ý").click()
    assert page.locator(f"td[data-column='{column.pk}'].has-comment").is_visible()
    screenshot(page, "review-report-desktop")
    page.fill("#return-reason", "Đề nghị rà soát lại Biểu 1.2")
    page.locator("[data-action='return'] button[type=submit]").click()
    assert page.locator("#report-status").inner_text() == "Bị trả lại"

    # The district staff answer the comment on a phone, fix the value and resubmit.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "canbo.tanbien", PASSWORD)
    page.goto(f"{page.base_url}/bao-cao/{report.pk}/gop-y/")
    assert "Đề nghị rà soát lại Biểu 1.2" in page.locator("#return-reason").inner_text()
    card = page.locator("[data-comment]").first
    assert "chưa khớp" in card.inner_text()
    card.locator("textarea").fill("Đã sửa theo số liệu của Văn phòng điều phối")
    card.get_by_label("Đã sửa").check()
    card.get_by_role("button", name="Lưu trả lời").click()
    assert page.get_by_text("Đã lưu câu trả lời góp ý.").is_visible()
    screenshot(page, "report-comments-phone")
    Cell.objects.filter(report=report, column=column).update(num=Decimal(7))
    workflow.submit_report(report, actor=staff)

    # The reviewer sees what changed since the return, on a phone, and approves.
    page.context.clear_cookies()
    login(page, "pttg.tinh", PASSWORD)
    page.goto(f"{page.base_url}/tham-dinh/{report.pk}/")
    page.get_by_role("link", name="Xem thay đổi so với lần trả lại").click()
    assert "Đã sửa theo số liệu" in page.content()
    changed = page.locator(f"[data-table='1.2'] tr[data-column='{column.pk}']")
    assert changed.locator("ins").inner_text() == "7"
    assert changed.locator("del").inner_text() != "7"
    screenshot(page, "report-diff-phone")
    page.go_back()
    screenshot(page, "review-report-phone")
    approve = page.locator("[data-action='approve'] button[type=submit]")
    approve.scroll_into_view_if_needed()
    box = approve.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    approve.click()
    assert page.locator("#report-status").inner_text() == "Đã duyệt"
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert report.approved_version.number == 2
    page.goto(f"{page.base_url}/tham-dinh/")
    screenshot(page, "review-list-phone")
