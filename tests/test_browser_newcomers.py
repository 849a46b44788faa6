"""What a newcomer sees in Chromium: a menu on one line, paragraphs as written."""

import pytest
from django.contrib.auth import get_user_model

from reports import workflow
from reports.models import Answer
from tests.conftest import PASSWORD, login, screenshot
from tests.factories import create_report, fill_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrators_menu_is_one_line_at_1366(browser_page, demo, make_user):
    make_user("72", "admin", username="quan.tri.vien", is_staff=True)
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, "quan.tri.vien", PASSWORD)
    # Each item on one line, all items in one row: every box as high as one line.
    boxes = page.eval_on_selector_all(
        "nav.navbar .nav-link, nav.navbar .navbar-text",
        """els => els.map(e => {
          const r = e.getBoundingClientRect(), s = getComputedStyle(e);
          const pad = parseFloat(s.paddingTop) + parseFloat(s.paddingBottom);
          const text = r.height - pad;
          return [Math.round(r.top), text / parseFloat(s.lineHeight)];
        })""",
    )
    assert len(boxes) >= 10
    assert all(lines < 1.5 for _top, lines in boxes), boxes
    tops = [top for top, _lines in boxes]
    assert max(tops) - min(tops) <= 4, tops
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    screenshot(page, "nav-administrator-1366")


def test_a_submitted_report_shows_paragraphs_as_written(browser_page, demo, unit):
    staff = get_user_model().objects.get(username="tanbien")
    staff.set_password(PASSWORD)
    staff.save()
    report = fill_report(create_report(demo, unit("705")), staff)
    answer = Answer.objects.filter(report=report).exclude(text="").first()
    answer.text = "Đoạn thứ nhất.\n\nĐoạn thứ hai."
    answer.save()
    workflow.submit_report(report, actor=staff)
    page = browser_page
    login(page, "tanbien", PASSWORD)
    page.goto(page.base_url + report.get_absolute_url())
    gap, line = page.evaluate(
        """() => {
          const p = [...document.querySelectorAll('.answer-text p')]
            .filter(e => e.textContent.startsWith('Đoạn thứ'));
          const a = p[0].getBoundingClientRect(), b = p[1].getBoundingClientRect();
          return [b.top - a.bottom, parseFloat(getComputedStyle(p[0]).lineHeight)];
        }"""
    )
    # One paragraph's margin (1 rem), not three blank lines.
    assert gap < 1.5 * line, (gap, line)


# --- Phone: each role's main pages at 390 px ------------------------------------

PHONE = {"width": 390, "height": 844}


def _season(demo, unit, make_user):
    """705 submitted, the Farmers' union approved, a commune's draft; users per role."""
    users = {
        "district": make_user("705", "staff", username="dt.tanbien"),
        "reviewer": make_user("72", "reviewer", username="dt.pttg"),
        "drafter": make_user("72", "staff", username="dt.soanthao"),
        "commune": make_user("25489", "staff", username="dt.tanlap"),
        "admin": make_user("72", "admin", username="dt.quantri", is_staff=True),
    }
    submitted = fill_report(create_report(demo, unit("705")), users["district"])
    workflow.submit_report(submitted, actor=users["district"])
    org_staff = make_user("72-HND", "staff")
    approved = fill_report(create_report(demo, unit("72-HND")), org_staff, seed=2)
    workflow.submit_report(approved, actor=org_staff)
    workflow.approve_report(approved, actor=users["reviewer"])
    draft = create_report(demo, unit("25489"))
    return users, {"submitted": submitted, "approved": approved, "draft": draft}


def _as(page, user):
    page.context.clear_cookies()
    login(page, user.username)


def _no_page_scroll(page, where):
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{where}: {widths[0]} px wide at {widths[1]}"


def main_pages(unit, reports):
    """Each role's main pages, walked at 390 px and by axe-core."""
    province, district = unit("72").pk, unit("705").pk
    submitted, draft = reports["submitted"].pk, reports["draft"].pk
    return {
        "district": [
            "/",
            "/bao-cao/",
            f"/bao-cao/{submitted}/",
            "/don-vi/",
            f"/tong-hop/{district}/",
        ],
        "reviewer": [
            "/",
            "/tham-dinh/",
            f"/tham-dinh/{submitted}/",
            "/tien-do/",
            f"/tong-hop/{province}/",
            "/tien-do/gia-han/",
            f"/bao-cao/{reports['approved'].pk}/so-sanh/",
        ],
        "drafter": ["/", f"/tong-hop/{province}/"],
        "commune": ["/", f"/bao-cao/{draft}/soan/", f"/bao-cao/{draft}/"],
        "admin": ["/", "/nhat-ky/", f"/don-vi/{province}/"],
    }


def test_every_roles_main_pages_fit_a_390_px_phone(browser_page, demo, unit, make_user):
    users, reports = _season(demo, unit, make_user)
    pages = main_pages(unit, reports)
    page = browser_page
    page.set_viewport_size(PHONE)
    for role, paths in pages.items():
        _as(page, users[role])
        for path in paths:
            page.goto(page.base_url + path)
            page.wait_for_load_state("networkidle")
            _no_page_scroll(page, f"{role} {path}")
        screenshot(page, f"phone-{role}-last")


def test_reviewer_works_through_the_progress_page_on_a_phone(
    browser_page, demo, unit, make_user
):
    users, _reports = _season(demo, unit, make_user)
    page = browser_page
    page.set_viewport_size(PHONE)
    _as(page, users["reviewer"])
    screenshot(page, "home-reviewer-390")
    page.get_by_role("link", name="đơn vị quá hạn chưa nộp").click()
    page.wait_for_url("**/tien-do/?status=overdue*")
    rows = page.locator("table.cockpit-table tbody tr")
    assert rows.count() == 12  # 14 districts and organisations, 2 reported
    _no_page_scroll(page, "progress, overdue")
    screenshot(page, "progress-overdue-390")


def test_provincial_drafter_prefills_and_downloads_from_one_page(
    browser_page, demo, unit, make_user
):
    users, _reports = _season(demo, unit, make_user)
    page = browser_page
    _as(page, users["drafter"])
    screenshot(page, "home-drafter-1280")
    page.get_by_role("button", name="điền sẵn từ báo cáo cấp dưới").click()
    page.wait_for_url("**/nguon/")
    page.locator("#nav-main").get_by_role("link", name="Tổng hợp").click()
    page.wait_for_url(f"**/tong-hop/{unit('72').pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tổng hợp (Excel)").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_a_long_no_data_note_does_not_widen_its_column(
    browser_page, demo, unit, make_user
):
    from reports.models import Cell

    reviewer = make_user("72", "reviewer", username="dt.pttg")
    staff = make_user("705", "staff")
    report = fill_report(create_report(demo, unit("705")), staff)
    note = "Huyện chưa thống kê chỉ tiêu này trong giai đoạn 2016–2020 " * 3
    cell = Cell.objects.filter(report=report, column__col_type="integer").first()
    Cell.objects.filter(pk=cell.pk).update(no_data=True, note=note.strip())
    workflow.submit_report(report, actor=staff)
    workflow.approve_report(report, actor=reviewer)
    page = browser_page
    page.set_viewport_size(PHONE)
    _as(page, reviewer)
    page.goto(f"{page.base_url}/tong-hop/{unit('72').pk}/")
    width = page.get_by_text(note.strip()[:40]).first.evaluate(
        "e => e.closest('td').getBoundingClientRect().width"
    )
    assert width <= 260, width
    _no_page_scroll(page, "consolidation with a long note")
