import pytest

from reports import workflow
from reports.models import Report, Unit
from tests.conftest import PASSWORD, login, screenshot
from tests.factories import create_report, fill_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_reads_the_consolidation_and_staff_prefill_the_province_report(
    browser_page, demo, make_user
):
    reviewer = make_user("72", "reviewer", username="pttg")
    for seed, code in enumerate(("703", "705", "706", "72-HND"), start=1):
        staff = make_user(code, "staff")
        report = create_report(demo, Unit.objects.get(code=code))
        fill_report(report, staff, seed=seed * 37)
        workflow.submit_report(report, actor=staff)
        if code != "706":
            workflow.approve_report(report, actor=reviewer)
    page = browser_page
    login(page, "pttg", PASSWORD)
    page.get_by_role("link", name="Tổng hợp").click()
    assert page.get_by_role("heading", name="Tổng hợp biểu số liệu – Tỉnh Tây Ninh")
    total = page.locator("#bieu-1\\.2 tfoot tr").inner_text()
    assert "Tổng cộng" in total
    assert (
        page.locator("#bieu-1\\.2 tbody tr")
        .filter(has_text="Huyện Tân Châu")
        .inner_text()
        .strip()
        .endswith("Đã nộp, chưa duyệt")
    )
    page.get_by_label("Gồm cả báo cáo đã nộp chưa duyệt").check()
    page.wait_for_url("**submitted=1")
    row = page.locator("#bieu-1\\.2 tbody tr.table-warning")
    assert "Huyện Tân Châu" in row.inner_text() and "chưa duyệt" in row.inner_text()
    screenshot(page, "consolidation-province")

    make_user("72", "staff", username="tonghop")
    page.get_by_role("button", name="Đăng xuất").click()
    login(page, "tonghop", PASSWORD)
    page.goto(page.base_url + f"/tong-hop/{Unit.objects.get(code='72').pk}/")
    page.get_by_role("button", name="Tạo báo cáo của đơn vị").click()
    assert page.get_by_text("Đã tạo báo cáo của đơn vị").is_visible()
    assert Report.objects.get(unit__code="72").prefill_sources.count() == 3
    screenshot(page, "prefill-status")
