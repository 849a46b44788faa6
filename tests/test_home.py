"""Each role's next step on the home page, one click away."""

import re

import pytest
from django.urls import reverse

from reports import workflow
from reports.models import Report
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db
HOME = reverse("home")


def home(client, user):
    client.force_login(user)
    return client.get(HOME).content.decode()


def _form_posting_to(body, url):
    found = re.search(rf'<form[^>]*action="{re.escape(url)}".*?</form>', body, re.S)
    assert found, f"no form posting to {url}"
    return found[0]


def _submitted(round_, unit, staff, seed=1):
    report = fill_report(create_report(round_, unit), staff, seed=seed)
    workflow.submit_report(report, actor=staff)
    return report


def _approved(round_, unit, reviewer, make_user, seed=1):
    report = _submitted(round_, unit, make_user(unit.code, "staff"), seed=seed)
    workflow.approve_report(report, actor=reviewer)
    return report


# --- Unit staff --------------------------------------------------------------------


def test_district_staff_start_their_report_in_one_click(client, demo, make_user, unit):
    staff = make_user("25489", "staff")
    form = _form_posting_to(home(client, staff), reverse("report_start"))
    assert f'name="unit" value="{unit("25489").pk}"' in form
    assert "Bắt đầu soạn báo cáo" in form
    response = client.post(reverse("report_start"), {"unit": unit("25489").pk})
    report = Report.objects.get(unit__code="25489", round=demo)
    assert response.url == reverse("report_edit", args=[report.pk])


def test_staff_with_a_draft_continue_and_see_what_is_missing(
    client, demo, make_user, unit
):
    staff = make_user("25489", "staff")
    report = create_report(demo, unit("25489"))
    body = home(client, staff)
    assert reverse("report_edit", args=[report.pk]) in body
    assert "Tiếp tục soạn" in body
    assert re.search(r"Còn \d+ mục chưa hoàn thành", body)
    fill_report(report, staff)
    body = home(client, staff)
    assert reverse("report_submit", args=[report.pk]) in body
    assert "Đã đủ nội dung" in body and "Nộp báo cáo" in body


def test_returned_report_shows_the_reason_and_one_click_to_the_comments(
    client, demo, make_user, unit
):
    staff = make_user("25489", "staff")
    reviewer = make_user("705", "reviewer")
    report = _submitted(demo, unit("25489"), staff)
    workflow.add_comment(report, actor=reviewer, text="Bổ sung số hộ nghèo.")
    workflow.return_report(report, actor=reviewer, reason="Thiếu số liệu biểu 1.2")
    body = home(client, staff)
    assert "Thiếu số liệu biểu 1.2" in body
    assert reverse("report_comments", args=[report.pk]) in body
    assert "Trả lời 1 góp ý" in body


# --- The provincial drafter ----------------------------------------------------------


def test_provincial_drafter_creates_the_prefilled_report_from_home(
    client, demo, make_user, unit
):
    reviewer = make_user("72", "reviewer")
    _approved(demo, unit("705"), reviewer, make_user)
    drafter = make_user("72", "staff")
    body = home(client, drafter)
    form = _form_posting_to(body, reverse("prefill_create", args=[unit("72").pk]))
    assert "điền sẵn" in form
    assert reverse("report_start") not in body  # no empty provincial report
    assert "1/14 đơn vị trực thuộc đã được duyệt" in body
    assert reverse("consolidation", args=[unit("72").pk]) in body
    response = client.post(reverse("prefill_create", args=[unit("72").pk]))
    report = Report.objects.get(unit__code="72", round=demo)
    assert response.url == reverse("prefill_status", args=[report.pk])


def test_provincial_drafter_is_told_when_sources_changed_and_refreshes(
    client, demo, make_user, unit
):
    reviewer = make_user("72", "reviewer")
    _approved(demo, unit("705"), reviewer, make_user)
    drafter = make_user("72", "staff")
    client.force_login(drafter)
    client.post(reverse("prefill_create", args=[unit("72").pk]))
    report = Report.objects.get(unit__code="72", round=demo)
    body = home(client, drafter)
    assert "Nguồn số liệu đã cập nhật" in body
    _approved(demo, unit("703"), reviewer, make_user, seed=2)
    body = home(client, drafter)
    assert "1 nguồn có thay đổi" in body
    form = _form_posting_to(body, reverse("prefill_refresh", args=[report.pk]))
    assert "Cập nhật từ báo cáo cấp dưới" in form
    assert reverse("report_edit", args=[report.pk]) in body


def test_provincial_drafter_has_the_consolidation_in_the_menu(client, demo, make_user):
    body = home(client, make_user("72", "staff"))
    assert f'href="{reverse("consolidation_index")}">Tổng hợp<' in body
    body = home(client, make_user("25489", "staff"))
    assert f'href="{reverse("consolidation_index")}">Tổng hợp<' not in body


def test_consolidation_page_has_its_downloads_for_the_drafter(
    client, demo, make_user, unit
):
    drafter = make_user("72", "staff")
    client.force_login(drafter)
    page = client.get(reverse("consolidation", args=[unit("72").pk])).content.decode()
    xlsx = reverse("export_consolidated_xlsx", args=[unit("72").pk])
    assert xlsx in page and reverse("export_consolidated_pdf", args=[unit("72").pk])
    assert client.get(xlsx).status_code == 200


# --- Reviewers --------------------------------------------------------------------


def test_reviewer_sees_reports_waiting_and_overdue_units_one_click_away(
    client, demo, make_user, unit
):
    reviewer = make_user("72", "reviewer")
    report = _submitted(demo, unit("705"), make_user("705", "staff"))
    body = home(client, reviewer)
    assert "1 báo cáo chờ xem xét" in body
    assert reverse("review_report", args=[report.pk]) in body
    # Today is long after the 2020 deadlines: the 13 others are overdue.
    assert "13 đơn vị quá hạn chưa nộp" in body
    assert reverse("cockpit") + "?status=overdue&amp;level=huyen" in body


# --- Administrators ---------------------------------------------------------------


def test_administrator_sees_the_rounds_setup_checklist(client, demo, make_user):
    admin = make_user("72", "admin", is_staff=True)
    body = home(client, admin)
    checklist = re.search(r'<ul class="[^"]*setup-checklist.*?</ul>', body, re.S)[0]
    for label, url in [
        ("Đơn vị", reverse("admin:reports_unit_changelist")),
        ("Mẫu báo cáo", reverse("admin:reports_reporttemplate_changelist")),
        ("Hạn nộp", reverse("admin:reports_deadline_changelist")),
        ("Tài khoản", reverse("admin:reports_membership_changelist")),
    ]:
        assert label in checklist and url in checklist
    assert "109 đơn vị" in checklist and "đã đặt cho 3/3 cấp" in checklist
    # Demo units without any staff account are counted.
    assert re.search(r"\d+ đơn vị chưa có tài khoản cán bộ", checklist)
