"""Regression tests of issue 14: hostile or odd input answers clearly, never a 500."""

import io

import openpyxl
import pytest
from django.urls import reverse

from reports.exports import files
from reports.models import ExemplaryModel
from tests.factories import create_report, fill_report
from tests.test_exports import approved

pytestmark = pytest.mark.django_db

SOFT_BREAK = "Dòng một\vDòng hai"  # Word's soft line break (Shift+Enter)


@pytest.fixture
def district(demo, unit, make_user):
    staff = make_user("705", "staff")
    reviewer = make_user("72", "reviewer")
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    # Stored before the fix: no form cleaned it.
    ExemplaryModel.objects.filter(report=report).update(
        name=SOFT_BREAK, unit_in_charge=SOFT_BREAK, results=SOFT_BREAK + "\x1b"
    )
    report.refresh_from_db()
    report, _ = approved(demo, unit("705"), staff, reviewer)
    return report, staff, reviewer


def _sheet_text(content):
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(v) for ws in wb.worksheets for row in ws.values for v in row if v
    )


def test_a_soft_line_break_in_a_model_does_not_break_any_excel_export(
    client, district, unit
):
    report, staff, reviewer = district
    content, _ = files.version_export(report.approved_version, "xlsx")
    assert "Dòng một\nDòng hai" in _sheet_text(content)
    client.force_login(staff)
    response = client.get(reverse("export_xlsx", args=[report.pk]) + "?ban-nhap=1")
    assert response.status_code == 200
    assert "Dòng một\nDòng hai" in _sheet_text(b"".join(response.streaming_content))
    client.force_login(reviewer)
    for code in ["705", "72"]:
        response = client.get(reverse("export_consolidated_xlsx", args=[unit(code).pk]))
        assert response.status_code == 200, code


def test_a_soft_line_break_in_a_model_does_not_break_the_pdf(district):
    report, _, _ = district
    content, _ = files.version_export(report.approved_version, "pdf")
    assert content.startswith(b"%PDF")


HUGE = "9" * 23


def test_a_23_digit_id_in_bulk_approval_is_answered_not_a_500(client, district):
    report, _, reviewer = district
    client.force_login(reviewer)
    for value in [f"{HUGE}:1", f"{report.pk}:{HUGE}", f"{HUGE}:{HUGE}"]:
        response = client.post(reverse("review_bulk_approve"), {"reports": value})
        assert response.status_code in (302, 400), value


def test_a_23_digit_id_in_a_reminder_is_answered_not_a_500(client, demo, make_user):
    client.force_login(make_user("72", "reviewer"))
    response = client.post(reverse("reminder_send"), {"units": HUGE})
    assert response.status_code in (302, 400, 404)
    response = client.get(reverse("cockpit"), {"parent": HUGE})
    assert response.status_code == 200


def test_a_23_digit_cell_in_a_review_comment_is_refused(client, demo, unit, make_user):
    staff, reviewer = make_user("705", "staff"), make_user("72", "reviewer")
    from reports import workflow

    report = fill_report(create_report(demo, unit("705")), staff)
    workflow.submit_report(report, actor=staff)
    client.force_login(reviewer)
    response = client.post(
        reverse("review_comment", args=[report.pk]), {"column": HUGE, "text": "x"}
    )
    assert response.status_code == 400


def test_approval_without_expected_version_is_refused(client, demo, unit, make_user):
    from reports import workflow

    staff, reviewer = make_user("705", "staff"), make_user("72", "reviewer")
    report = fill_report(create_report(demo, unit("705")), staff)
    workflow.submit_report(report, actor=staff)
    client.force_login(reviewer)
    for action in ["approve", "return"]:
        response = client.post(
            reverse("review_action", args=[report.pk]),
            {"action": action, "expected_status": "submitted", "reason": "Lý do"},
        )
        assert response.status_code == 400, action
        report.refresh_from_db()
        assert report.status == "submitted"


DIRTY = "Ta\u0302n\u200b Bi\u00adên\x00\x1b\vdòng\u2060 sau"  # NFD, invisible, controls
CLEAN = "Tân Biên\ndòng sau"


def _dirty_forms(report, current):
    from reports import forms, review_forms
    from tests.test_commendations import individual
    from tests.test_exemplary import form_data

    every_text = {
        "name": DIRTY,
        "unit_in_charge": DIRTY,
        "description": DIRTY,
        "results": DIRTY,
    }
    yield forms.ExemplaryModelForm(form_data(**every_text), report=report)
    every_text = {k: DIRTY for k in ["name", "position", "unit_name", "achievements"]}
    yield forms.CommendationForm(individual(award=DIRTY, **every_text))
    yield forms.ExtensionForm(
        {"new_date": "22/12/2020", "reason": DIRTY}, current=current
    )
    yield review_forms.ActionForm(
        {
            "action": "return",
            "expected_status": "submitted",
            "expected_version": "1",
            "reason": DIRTY,
        }
    )
    yield review_forms.CommentForm({"text": DIRTY})
    yield review_forms.AnswerForm({"response": DIRTY})
    yield review_forms.ReopenRequestForm({"reason": DIRTY})


def test_every_form_stores_text_in_nfc_without_invisible_or_control_characters(
    demo, unit
):
    from reports.deadlines import effective_deadline

    report = create_report(demo, unit("705"))
    current = effective_deadline(unit("705"), demo)
    for form in _dirty_forms(report, current):
        assert form.is_valid(), (type(form).__name__, form.errors)
        texts = {
            name: value
            for name, value in form.cleaned_data.items()
            if isinstance(value, str) and name in form.data and form.data[name] == DIRTY
        }
        assert texts, type(form).__name__
        for name, value in texts.items():
            assert value == CLEAN, (type(form).__name__, name, value)


@pytest.mark.parametrize(
    "new_date, accepted",
    [("01/01/9999", False), ("16/12/2021", False), ("15/12/2021", True)],
)
def test_an_extension_reaches_at_most_a_year_past_the_deadline(
    client, demo, make_user, unit, new_date, accepted
):
    from reports.models import Extension

    client.force_login(make_user("72", "reviewer"))
    url = reverse("extension_grant", args=[unit("705").pk])
    response = client.post(url, {"new_date": new_date, "reason": "Bão lũ"})
    assert Extension.objects.exists() == accepted
    if not accepted:
        assert response.status_code == 200
        assert "15/12/2021" in response.content.decode()


def test_grant_extension_itself_refuses_a_date_past_a_year(demo, make_user, unit):
    import datetime as dt

    from reports.deadlines import ExtensionRefused, grant_extension

    with pytest.raises(ExtensionRefused):
        grant_extension(
            demo,
            unit("705"),
            actor=make_user("72", "reviewer"),
            new_date=dt.date(9999, 1, 1),
            reason="x",
        )


def test_failed_logins_from_one_address_do_not_lock_the_user_out_elsewhere(
    client, demo, settings
):
    # As in production behind the TLS proxy (which sets X-Forwarded-For).
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = [
        "HTTP_X_FORWARDED_FOR",
        "REMOTE_ADDR",
    ]
    login = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            login,
            {"username": "tanbien", "password": "sai"},
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )
    right = {"username": "tanbien", "password": "sokket-demo-2020"}
    assert (
        client.post(login, right, HTTP_X_FORWARDED_FOR="203.0.113.66").status_code
        == 429
    )
    assert client.post(login, right, HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 302


@pytest.mark.parametrize(
    "username, ends_with_browser",
    [("tanbien", False), ("tanbien.duyet", True), ("quantri", True)],
)
def test_sessions_are_short_and_end_with_the_browser_for_reviewers_and_admins(
    client, demo, settings, username, ends_with_browser
):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    response = client.post(
        reverse("login"), {"username": username, "password": "sokket-demo-2020"}
    )
    assert response.status_code == 302
    assert client.session.get_expire_at_browser_close() == ends_with_browser
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert (cookie["max-age"] == "") == ends_with_browser


def test_every_download_is_private_and_not_stored(client, district, unit):
    from tests.factories import TINY_PDF, add_attachment

    report, staff, reviewer = district
    attachment = add_attachment(report, staff, "supporting", TINY_PDF, "tep.pdf")
    urls = {
        staff: [
            reverse("export_xlsx", args=[report.pk]) + "?ban-nhap=1",
            reverse("export_pdf", args=[report.pk]),
            reverse("sealed_copy_download", args=[report.pk]),
            reverse("attachment_download", args=[attachment.pk]),
            reverse("export_blank_form"),
        ],
        reviewer: [
            reverse("export_consolidated_xlsx", args=[unit("72").pk]),
            reverse("export_consolidated_pdf", args=[unit("72").pk]),
        ],
    }
    for user, paths in urls.items():
        client.force_login(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert "attachment" in response.get("Content-Disposition", ""), path
            control = response.get("Cache-Control", "")
            assert "private" in control and "no-store" in control, path


def test_a_busy_sqlite_database_is_not_called_down(db):
    from django.db import OperationalError
    from django.test import RequestFactory
    from django.urls import resolve

    from reports.middleware import DatabaseUnavailableMiddleware

    request = RequestFactory().post("/bao-cao/1/nop/")
    request.resolver_match = resolve("/bao-cao/1/nop/")
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    response = middleware.process_exception(
        request, OperationalError("database is locked")
    )
    page = response.content.decode()
    assert response.status_code == 503
    assert "đang bận" in page and "gián đoạn" not in page
    assert "xem báo cáo đã được nộp chưa" in page


@pytest.mark.parametrize(
    "name, args",
    [("attachment_list", "report"), ("xlsx_import", "report"), ("login", None)],
)
def test_a_huge_declared_body_is_refused_before_it_is_read(
    client, demo, unit, make_user, name, args
):
    from reports.models import Attachment

    staff = make_user("705", "staff")
    report = create_report(demo, unit("705"))
    client.force_login(staff)
    url = reverse(name, args=[report.pk] if args else [])
    # 100 bytes sent, 2 GB declared: reading the body would fail the test.
    response = client.generic(
        "POST",
        url,
        b"x" * 100,
        content_type="multipart/form-data; boundary=zzz",
        CONTENT_LENGTH=str(2 * 1024**3),
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "Tệp quá lớn" in page and "20" in page
    assert not Attachment.objects.exists()


def test_text_typed_in_the_admin_is_cleaned_too(client, demo, unit):
    from django.contrib.auth import get_user_model

    from reports.models import Extension

    admin = get_user_model().objects.create_superuser("sieu", password="x" * 12)
    client.force_login(admin)
    response = client.post(
        reverse("admin:reports_extension_add"),
        {
            "round": demo.pk,
            "unit": unit("705").pk,
            "new_date": "2020-12-22",
            "reason": DIRTY,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Extension.objects.get().reason == CLEAN
