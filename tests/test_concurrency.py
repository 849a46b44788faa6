"""Concurrent autosaves and submits of one report, from real threads (PostgreSQL).

SQLite serialises every writer on one file lock, so these races only mean
something on PostgreSQL; elsewhere the module is skipped. Each thread has its own
database connection and closes it when done.
"""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection
from django.test import Client
from django.urls import reverse

from reports import workflow
from reports.drafts import NotEditable, SaveConflict, save_part
from reports.models import (
    Answer,
    Cell,
    ColumnType,
    DraftPart,
    Report,
    ReportEvent,
    ReportStatus,
    ReportVersion,
    TableSource,
)
from tests.factories import create_report, fill_report

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent transactions need PostgreSQL "
        "(SQLite serialises all writers)",
    ),
]

THREADS = 8
SAVES_EACH = 5


@pytest.fixture
def staff(demo, make_user):
    return make_user("705", "staff")


@pytest.fixture
def reviewer(demo, make_user):
    return make_user("72", "reviewer")


@pytest.fixture
def report(demo, unit):
    return create_report(demo, unit("705"))


def section_keys(report, count):
    codes = [
        s.code
        for s in report.template.sections.order_by("order", "pk")
        if s.takes_answer
    ]
    assert len(codes) >= count, "the district outline has fewer sections than threads"
    return [f"section:{code}" for code in codes[:count]]


def in_threads(count, work):
    """Run ``work(i)`` in ``count`` threads started together; results or errors."""
    barrier = threading.Barrier(count)

    def run(i):
        try:
            barrier.wait(timeout=30)
            return work(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def fresh(report):
    return Report.objects.get(pk=report.pk)


def client_for(user):
    """A logged-in client; each thread loads its own user, as each request does."""
    client = Client()
    client.force_login(type(user).objects.get(pk=user.pk))
    return client


# --- (a) autosaves of different parts ----------------------------------------


def test_concurrent_autosaves_of_different_parts_lose_no_update(report, staff):
    keys = section_keys(report, THREADS)

    def work(i):
        revision = 0
        for n in range(SAVES_EACH):
            result = save_part(
                Report.objects.get(pk=report.pk),
                keys[i],
                {"text": f"Luồng {i}, lần lưu {n}", "shortcomings": f"Hạn chế {i}"},
                base_revision=revision,
                actor=staff,
            )
            revision = result.revision
        return revision

    outcomes = in_threads(THREADS, work)

    assert outcomes == [SAVES_EACH] * THREADS
    for i, key in enumerate(keys):
        code = key.partition(":")[2]
        answer = Answer.objects.get(report=report, section__code=code)
        assert answer.text == f"Luồng {i}, lần lưu {SAVES_EACH - 1}"
        assert DraftPart.objects.get(report=report, key=key).revision == SAVES_EACH
    assert fresh(report).revision == THREADS * SAVES_EACH


def test_concurrent_autosaves_through_the_view_answer_200_each(report, staff):
    keys = section_keys(report, THREADS)
    url = reverse("report_autosave", args=[report.pk])

    def work(i):
        client = client_for(staff)
        statuses = []
        revision = 0
        for n in range(SAVES_EACH):
            response = client.post(
                url,
                json.dumps(
                    {
                        "part": keys[i],
                        "base_revision": revision,
                        "fields": {
                            "text": f"Bản {n} của luồng {i}",
                            "shortcomings": "-",
                        },
                    }
                ),
                content_type="application/json",
            )
            statuses.append(response.status_code)
            revision = response.json().get("revision", revision)
        return statuses

    outcomes = in_threads(THREADS, work)

    assert outcomes == [[200] * SAVES_EACH] * THREADS
    texts = dict(
        Answer.objects.filter(report=report).values_list("section__code", "text")
    )
    for i, key in enumerate(keys):
        assert texts[key.partition(":")[2]] == f"Bản {SAVES_EACH - 1} của luồng {i}"


def test_concurrent_table_saves_keep_every_tables_last_numbers(report, staff):
    columns = []
    for table in report.template.tables.filter(source=TableSource.ENTERED):
        column = next(
            (
                c
                for c in table.columns.order_by("order", "pk")
                if c.is_leaf and c.col_type == ColumnType.INTEGER
            ),
            None,
        )
        if column is not None:
            columns.append(column)
    assert len(columns) >= 2, "the district template has too few number tables"

    def work(i):
        column = columns[i]
        revision = 0
        for n in range(SAVES_EACH):
            result = save_part(
                Report.objects.get(pk=report.pk),
                f"table:{column.table.code}",
                {f"c.{column.code}": str(100 * i + n)},
                base_revision=revision,
                actor=staff,
            )
            assert not result.errors, result.errors
            revision = result.revision
        return revision

    outcomes = in_threads(len(columns), work)

    assert outcomes == [SAVES_EACH] * len(columns)
    for i, column in enumerate(columns):
        cell = Cell.objects.get(report=report, column=column)
        assert cell.num == 100 * i + SAVES_EACH - 1


def test_concurrent_starts_of_one_units_report_make_one_report(demo, staff, unit):
    url = reverse("report_start")
    district = unit("705")

    def work(i):
        response = client_for(staff).post(url, {"unit": district.pk})
        return response.status_code, response["Location"]

    outcomes = in_threads(THREADS, work)

    report = Report.objects.get(unit=district, round=demo)
    edit = reverse("report_edit", args=[report.pk])
    assert outcomes == [(302, edit)] * THREADS


# --- (b) autosaves of the same part from the same revision -------------------


def test_concurrent_saves_of_one_part_from_one_revision_one_wins(report, staff):
    key = section_keys(report, 1)[0]

    def work(i):
        return save_part(
            Report.objects.get(pk=report.pk),
            key,
            {"text": f"Thẻ {i}", "shortcomings": f"Thẻ {i}"},
            base_revision=0,
            actor=staff,
        )

    outcomes = in_threads(THREADS, work)

    winners = [i for i, o in enumerate(outcomes) if not isinstance(o, Exception)]
    conflicts = [o for o in outcomes if isinstance(o, SaveConflict)]
    assert len(winners) == 1
    assert len(conflicts) == THREADS - 1, outcomes
    # Every refused tab is shown the winner's text, and nothing overwrote it.
    winner = f"Thẻ {winners[0]}"
    assert all(c.fields["text"] == winner and c.revision == 1 for c in conflicts)
    code = key.partition(":")[2]
    assert Answer.objects.get(report=report, section__code=code).text == winner
    assert DraftPart.objects.get(report=report, key=key).revision == 1


def test_concurrent_view_saves_of_one_part_answer_one_200_and_409s(report, staff):
    key = section_keys(report, 1)[0]
    url = reverse("report_autosave", args=[report.pk])

    def work(i):
        client = client_for(staff)
        response = client.post(
            url,
            json.dumps(
                {"part": key, "base_revision": 0, "fields": {"text": f"Máy {i}"}}
            ),
            content_type="application/json",
        )
        return response.status_code, response.json()

    outcomes = in_threads(THREADS, work)

    statuses = sorted(status for status, _body in outcomes)
    assert statuses == [200] + [409] * (THREADS - 1), outcomes
    assert all(body["conflict"] for status, body in outcomes if status == 409)


# --- (c) submits of the same report ------------------------------------------


def test_concurrent_submits_create_one_version_and_say_already_done(report, staff):
    fill_report(report, staff)

    def work(i):
        return workflow.submit_report(
            Report.objects.get(pk=report.pk),
            actor=staff,
            expected_status=ReportStatus.DRAFT,
        )

    outcomes = in_threads(THREADS, work)

    versions = [o for o in outcomes if isinstance(o, ReportVersion)]
    refused = [o for o in outcomes if isinstance(o, workflow.AlreadyDone)]
    assert len(versions) == 1 and versions[0].number == 1
    assert len(refused) == THREADS - 1, outcomes
    assert all("đã được nộp" in str(o) for o in refused)
    assert not any(isinstance(o, IntegrityError) for o in outcomes)
    assert fresh(report).status == ReportStatus.SUBMITTED
    assert ReportVersion.objects.filter(report=report).count() == 1
    assert ReportEvent.objects.filter(report=report, action="submit").count() == 1


def test_concurrent_submits_through_the_view_never_answer_500(report, staff):
    fill_report(report, staff)
    url = reverse("report_submit", args=[report.pk])

    def work(i):
        client = client_for(staff)
        response = client.post(url, {"expected_status": "draft"}, follow=True)
        # The page's text, not response.context: the test client collects
        # rendered templates through a signal that every thread would share.
        return response.status_code, response.content.decode()

    outcomes = in_threads(THREADS, work)

    assert [status for status, _page in outcomes] == [200] * THREADS
    pages = [page for _status, page in outcomes]
    assert sum("Đã nộp báo cáo lúc" in page for page in pages) == 1
    assert sum("Báo cáo đã được nộp lúc" in page for page in pages) == THREADS - 1
    assert ReportVersion.objects.filter(report=report).count() == 1


# --- (d) an autosave racing a submit -----------------------------------------


@pytest.mark.parametrize("attempt", range(4))
def test_autosave_racing_submit_lands_in_the_version_or_is_refused(
    report, staff, attempt
):
    fill_report(report, staff)
    key = section_keys(report, 1)[0]
    code = key.partition(":")[2]
    before = Answer.objects.get(report=report, section__code=code).text
    typed = f"Sửa vào phút chót ({attempt})"

    def work(i):
        current = Report.objects.get(pk=report.pk)
        if i == 0:
            return workflow.submit_report(current, actor=staff)
        return save_part(
            current,
            key,
            {"text": typed, "shortcomings": "Hạn chế"},
            base_revision=0,
            actor=staff,
        )

    submitted, saved = in_threads(2, work)

    assert isinstance(submitted, ReportVersion), submitted
    assert fresh(report).status == ReportStatus.SUBMITTED
    frozen = submitted.answers[code]["text"]
    stored = Answer.objects.get(report=report, section__code=code).text
    if isinstance(saved, NotEditable):
        assert frozen == stored == before
    else:
        assert not isinstance(saved, Exception), saved
        assert frozen == stored == typed
