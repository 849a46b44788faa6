"""A district types an impossible pair of figures, sees the message beside the
cells, explains an outlier and submits; the reviewer sees the flags and returns
the report from one of them."""

import re

import pytest
from playwright.sync_api import expect

from reports import workflow
from reports.models import Report, ReportStatus, ReviewComment, TableColumn
from tests.conftest import PASSWORD, login, screenshot
from tests.factories import create_report, fill_report
from tests.quality_helpers import set_cell, submit_districts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _type(page, cell, value):
    box = page.locator(f"[id='{cell}'] input.num")
    box.fill(value)
    box.press("Tab")


def test_district_explains_an_outlier_fixes_an_impossible_pair_reviewer_returns(
    browser_page, demo, unit, make_user
):
    submit_districts(demo, make_user)
    staff = make_user("705", "staff", username="soan.tanbien")
    make_user("72", "reviewer", username="pttg.tinh")
    report = fill_report(create_report(demo, unit("705")), staff, seed=5)
    page = browser_page

    # The district types more communes at the advanced standard than at the
    # standard, and a contribution far above the other districts'.
    login(page, "soan.tanbien", PASSWORD)
    page.goto(f"{page.base_url}/bao-cao/{report.pk}/soan/")
    _type(page, "cell-1.2-xa-ntm", "3")
    _type(page, "cell-1.2-xa-ntm-nc", "5")
    _type(page, "cell-1.2-tien", "90000")
    beside = page.locator("[id='cell-1.2-xa-ntm-nc'] .quality-flag")
    expect(beside).to_contain_text("nâng cao không thể nhiều hơn")
    expect(page.locator("[id='cell-1.2-xa-ntm'].quality-cell")).to_be_visible()
    outlier = page.locator("[id='cell-1.2-tien'] .quality-flag")
    expect(outlier).to_contain_text("Cần kiểm tra lại: 90.000 khác xa")
    expect(page.locator("#quality-flags")).to_contain_text("1 lỗi phải sửa")
    outlier.locator("input.quality-explain").fill("Năm 2020 có dự án đường liên xã")
    outlier.locator("input.quality-explain").press("Tab")
    expect(outlier.locator(".quality-status")).to_have_text("Đã lưu giải thích.")
    screenshot(page, "quality-editor")

    # Submitting is refused with a link to the cells.
    page.get_by_role("link", name="Kiểm tra và nộp").click()
    link = page.locator(".missing-items a", has_text="nâng cao")
    expect(link).to_have_attribute(
        "href", f"/bao-cao/{report.pk}/soan/#cell-1.2-xa-ntm-nc"
    )
    link.click()
    page.wait_for_url("**/soan/#cell-1.2-xa-ntm-nc")
    _type(page, "cell-1.2-xa-ntm-nc", "2")
    expect(beside).to_have_count(0)

    page.get_by_role("link", name="Kiểm tra và nộp").click()
    explained = page.locator("input[name='giai-thich:outlier:1.2:tien']")
    expect(explained).to_have_value("Năm 2020 có dự án đường liên xã")
    page.get_by_role("button", name="Nộp báo cáo").click()
    expect(page.get_by_text("Đã nộp báo cáo lúc")).to_be_visible()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    frozen = report.versions.get().quality_flags.get(key="outlier:1.2:tien")
    assert frozen.explanation == "Năm 2020 có dự án đường liên xã"

    # The reviewer filters the flagged reports, reads the flag and its
    # explanation, and returns the report with a comment started from it.
    page.context.clear_cookies()
    login(page, "pttg.tinh", PASSWORD)
    page.goto(page.base_url + "/tham-dinh/")
    page.locator("#filter-flagged").click()
    rows = page.locator("tr[data-report]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Huyện Tân Biên")
    rows.first.get_by_role("link", name="Huyện Tân Biên").click()
    flags = page.locator("#quality-flags")
    expect(flags).to_contain_text("Năm 2020 có dự án đường liên xã")
    expect(flags).to_contain_text("Các đơn vị cùng cấp:")
    tien = TableColumn.objects.get(table__template=report.template, code="tien")
    expect(page.locator(f"td[data-column='{tien.pk}'].quality-marked")).to_be_visible()
    item = flags.locator("[data-key='outlier:1.2:tien']")
    item.locator("summary").click()
    item.get_by_role("button", name="Lưu góp ý").click()
    expect(page.get_by_text("Đã lưu góp ý")).to_be_visible()
    screenshot(page, "quality-review")
    page.fill("#return-reason", "Đề nghị kiểm tra lại số tiền nhân dân đóng góp")
    page.locator("[data-action='return'] button[type=submit]").click()
    expect(page.locator("#report-status")).to_have_text("Bị trả lại")
    comment = ReviewComment.objects.get(report=report)
    assert comment.column == tien and comment.is_sent
    assert comment.text.startswith("Đề nghị kiểm tra lại: Cần kiểm tra lại: 90.000")
    assert Report.objects.get(pk=report.pk).status == ReportStatus.RETURNED


def test_consolidation_marks_the_cell_a_childs_approved_version_was_flagged_on(
    browser_page, demo, unit, make_user
):
    submit_districts(demo, make_user)
    staff = make_user("705", "staff")
    report = fill_report(create_report(demo, unit("705")), staff, seed=5)
    set_cell(report, "sua-nha-can", 1)
    set_cell(report, "sua-nha-tien", 110)
    workflow.submit_report(report, actor=staff)
    reviewer = make_user("72", "reviewer", username="pttg.tinh")
    for submitted in Report.objects.filter(status=ReportStatus.SUBMITTED):
        workflow.approve_report(submitted, actor=reviewer)
    page = browser_page
    login(page, "pttg.tinh", PASSWORD)
    page.goto(f"{page.base_url}/tong-hop/{unit('72').pk}/")
    summary = page.locator("#quality-consolidation")
    expect(summary).to_contain_text("0 lỗi, 1 cảnh báo")
    row = page.locator("tr", has=page.locator("th", has_text="Huyện Tân Biên")).filter(
        has=page.locator("td[data-cell='1.3:sua-nha-tien']")
    )
    cell = row.locator("td[data-cell='1.3:sua-nha-tien']")
    expect(cell).to_have_class(re.compile(r"quality-marked"))
    expect(cell).to_have_attribute("title", re.compile("sửa chữa vượt 100 triệu"))
    others = page.locator("td.quality-marked")
    expect(others).to_have_count(1)
