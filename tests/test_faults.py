"""The database connection lost in the middle of a submit or a save.

The connection of the request is killed from a second connection
(``pg_terminate_backend``) at a point inside the workflow; afterwards the report
is either submitted with its version or still a draft without one, and the page
says in Vietnamese what did not happen. Killing needs PostgreSQL; the 503 page
itself is checked on any database.
"""

import json
import time

import pytest
from django.db import InterfaceError, OperationalError, connection, connections
from django.test import RequestFactory
from django.urls import resolve, reverse

from reports import drafts, workflow
from reports.middleware import DatabaseUnavailableMiddleware
from reports.models import (
    Answer,
    Report,
    ReportEvent,
    ReportStatus,
    ReportVersion,
    VersionCell,
)
from tests.factories import create_report, fill_report

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="killing a database connection (pg_terminate_backend) needs PostgreSQL",
)
DOWN = "Hệ thống cơ sở dữ liệu tạm thời gián đoạn"


def kill_this_connection():
    """Terminate the current thread's database backend from another connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone() is None:
                    break
                time.sleep(0.05)
    finally:
        other.close()


def killing_after(original):
    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        kill_this_connection()
        return result

    return wrapper


def killing_before(original):
    def wrapper(*args, **kwargs):
        kill_this_connection()
        return original(*args, **kwargs)

    return wrapper


def state_of(report):
    """(status, versions, submit events), read on a fresh connection."""
    connection.close()
    return (
        Report.objects.get(pk=report.pk).status,
        ReportVersion.objects.filter(report=report).count(),
        ReportEvent.objects.filter(report=report, action="submit").count(),
    )


@pytest.fixture
def staff(demo, make_user):
    return make_user("705", "staff")


@pytest.fixture
def complete_report(demo, unit, staff):
    return fill_report(create_report(demo, unit("705")), staff)


def break_submit_at(point, monkeypatch):
    if point == "after the version is written":
        monkeypatch.setattr(
            workflow, "freeze_version", killing_after(workflow.freeze_version)
        )
    elif point == "before the version's cells":
        monkeypatch.setattr(
            VersionCell.objects,
            "bulk_create",
            killing_before(VersionCell.objects.bulk_create),
        )
    else:  # while recording the status change
        monkeypatch.setattr(workflow, "_record", killing_after(workflow._record))


POINTS = [
    "after the version is written",
    "before the version's cells",
    "after the status change is recorded",
]


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("point", POINTS)
def test_submit_losing_its_connection_leaves_a_draft_without_version(
    complete_report, staff, monkeypatch, point
):
    break_submit_at(point, monkeypatch)

    with pytest.raises((OperationalError, InterfaceError)):
        workflow.submit_report(complete_report, actor=staff)

    assert state_of(complete_report) == (ReportStatus.DRAFT, 0, 0)
    assert not VersionCell.objects.filter(version__report=complete_report).exists()
    monkeypatch.undo()
    version = workflow.submit_report(
        Report.objects.get(pk=complete_report.pk), actor=staff
    )
    assert version.number == 1
    assert state_of(complete_report) == (ReportStatus.SUBMITTED, 1, 1)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_connection_lost_right_after_commit_leaves_the_report_submitted(
    complete_report, staff, monkeypatch
):
    def mail_then_die(*args, **kwargs):
        from django.db import transaction

        transaction.on_commit(kill_this_connection)

    monkeypatch.setattr(workflow, "_mail_reviewers", mail_then_die)

    version = workflow.submit_report(complete_report, actor=staff)

    assert version.number == 1
    assert state_of(complete_report) == (ReportStatus.SUBMITTED, 1, 1)
    assert VersionCell.objects.filter(version=version).exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_submit_page_says_in_vietnamese_that_the_report_was_not_submitted(
    client, complete_report, staff, monkeypatch
):
    client.force_login(staff)
    url = reverse("report_submit", args=[complete_report.pk])
    break_submit_at(POINTS[0], monkeypatch)

    response = client.post(url, {"expected_status": "draft"})

    page = response.content.decode()
    assert response.status_code == 503
    assert DOWN in page and "Báo cáo chưa được nộp" in page
    for leak in ("Traceback", "terminat", "psycopg", "SELECT", "pg_"):
        assert leak not in page
    assert state_of(complete_report) == (ReportStatus.DRAFT, 0, 0)

    monkeypatch.undo()
    response = client.post(url, {"expected_status": "draft"}, follow=True)
    assert "Đã nộp báo cáo lúc" in response.content.decode()
    assert state_of(complete_report) == (ReportStatus.SUBMITTED, 1, 1)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_autosave_losing_its_connection_answers_503_json_and_saves_nothing(
    client, demo, unit, staff, monkeypatch
):
    report = create_report(demo, unit("705"))
    section = next(s for s in report.template.sections.all() if s.takes_answer)
    client.force_login(staff)
    monkeypatch.setattr(drafts, "_save_section", killing_after(drafts._save_section))

    response = client.post(
        reverse("report_autosave", args=[report.pk]),
        json.dumps(
            {
                "part": f"section:{section.code}",
                "base_revision": 0,
                "fields": {"text": "Nội dung chưa kịp lưu"},
            }
        ),
        content_type="application/json",
    )

    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False and DOWN in body["message"]
    assert "chưa được lưu" in body["message"]
    connection.close()
    assert not Answer.objects.filter(report=report, section=section).exists()
    assert Report.objects.get(pk=report.pk).revision == 0


def test_database_down_page_is_rendered_without_touching_the_database(
    db, django_assert_num_queries
):
    request = RequestFactory().post("/bao-cao/1/nop/")
    request.resolver_match = resolve("/bao-cao/1/nop/")
    middleware = DatabaseUnavailableMiddleware(lambda request: None)

    with django_assert_num_queries(0):
        response = middleware.process_exception(
            request, OperationalError("server closed the connection unexpectedly")
        )

    page = response.content.decode()
    assert response.status_code == 503
    assert DOWN in page and "Báo cáo chưa được nộp" in page
    assert "server closed" not in page


def test_other_errors_are_left_to_django(db):
    request = RequestFactory().get("/")
    middleware = DatabaseUnavailableMiddleware(lambda request: None)

    assert middleware.process_exception(request, ValueError("x")) is None
