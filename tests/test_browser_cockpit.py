import datetime as dt
import re
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from reports import workflow
from reports.models import Extension, ReminderLog, Unit
from tests.conftest import login, screenshot
from tests.factories import create_report, fill_report

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DEMO_PASSWORD = "sokket-demo-2020"

# (unit, submitted on, approved) – a plausible December 2020.
SUBMISSIONS = [
    ("25459", dt.datetime(2020, 11, 20, 9), True),
    ("25462", dt.datetime(2020, 11, 24, 15), True),
    ("25474", dt.datetime(2020, 11, 27, 10), True),
    ("25486", dt.datetime(2020, 11, 30, 23, 30), False),
    ("25480", dt.datetime(2020, 12, 2, 8), False),
    ("709", dt.datetime(2020, 12, 4, 14), True),
    ("703", dt.datetime(2020, 12, 9, 16), True),
    ("72-HND", dt.datetime(2020, 12, 11, 9), False),
    ("710", dt.datetime(2020, 12, 14, 10), False),
    ("711", dt.datetime(2020, 12, 15, 22), False),
]


def _seed_progress(demo, make_user, monkeypatch):
    reviewer = make_user("72", "reviewer", username="bt.reviewer")
    district_reviewers = {}
    for code, moment, approve in SUBMISSIONS:
        unit = Unit.objects.get(code=code)
        staff = make_user(code, "staff")
        report = fill_report(create_report(demo, unit), staff)
        moment = moment.replace(tzinfo=HCM)
        monkeypatch.setattr(timezone, "now", lambda m=moment: m)
        workflow.submit_report(report, actor=staff)
        if approve:
            approver = reviewer
            if unit.level.code == "xa":
                parent = unit.parent.code
                if parent not in district_reviewers:
                    district_reviewers[parent] = make_user(parent, "reviewer")
                approver = district_reviewers[parent]
            later = moment + dt.timedelta(days=2)
            monkeypatch.setattr(timezone, "now", lambda m=later: m)
            workflow.approve_report(report, actor=approver)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reviewer_filters_late_units_extends_one_and_reminds_another(
    browser_page, demo, make_user, monkeypatch
):
    _seed_progress(demo, make_user, monkeypatch)
    now = dt.datetime(2020, 12, 16, 10, 0, tzinfo=HCM)
    monkeypatch.setattr(timezone, "now", lambda: now)
    page = browser_page
    violations = []
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    login(page, "tinh.pttg", DEMO_PASSWORD)
    page.click("text=Tiến độ")
    page.wait_for_selector("#progress-chart")
    # Chart.js has drawn on the canvas, and a bar per district is shown.
    page.wait_for_function(
        "document.getElementById('progress-chart').toDataURL().length > 10000"
    )
    assert page.locator(".progress-row").count() == 14
    # Tây Ninh city: 4 of its 10 communes in, 3 approved (bars sized by the script).
    approved_bar = page.locator(
        ".progress-row[data-unit='703'] .progress[aria-label='Đã duyệt']"
    )
    assert approved_bar.evaluate("el => el.style.width") == "30%"
    assert page.locator("[data-kpi=reporting-rate]").inner_text() == "9,3%"
    screenshot(page, "cockpit-overview")

    # Filter the late units of one district.
    page.select_option("#f-status", "overdue")
    page.select_option("#f-parent", label="Huyện Tân Biên")
    page.click("#cockpit-filters button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator(".cockpit-table tbody tr[data-unit]")
    assert rows.count() == 9
    statuses = {rows.nth(i).get_attribute("data-status") for i in range(9)}
    assert statuses == {"overdue"}
    screenshot(page, "cockpit-late-units")

    # Extend one commune's deadline.
    page.click("tr[data-unit='25492'] >> text=Gia hạn")
    page.fill("input[name=new_date]", "21/12/2020")
    page.fill("textarea[name=reason]", "Xã bị ngập lụt, chậm tổng hợp số liệu")
    screenshot(page, "extension-form")
    page.click("button:has-text('Gia hạn')")
    page.wait_for_load_state()
    assert "Đã gia hạn cho" in page.inner_text(".alert-success")
    assert page.locator("tr[data-unit='25492']").count() == 0
    extension = Extension.objects.get(unit__code="25492")
    assert extension.new_date == dt.date(2020, 12, 21)

    # Remind Tân Lập (its staff has an e-mail address).
    page.check("tr[data-unit='25489'] input.unit-check")
    page.click("text=Nhắc nhở các đơn vị đã chọn")
    page.wait_for_load_state()
    assert re.search(r"Đã gửi nhắc nhở tới 1 đơn vị", page.inner_text("main"))
    assert ReminderLog.objects.filter(
        unit__code="25489", step="manual-2020-12-16"
    ).exists()
    assert mail.outbox[-1].to == ["xa.tanlap@example.invalid"]
    screenshot(page, "cockpit-after-reminder")

    page.goto(page.base_url + "/tien-do/gia-han/")
    assert "Xã bị ngập lụt" in page.inner_text("main")
    assert violations == []
