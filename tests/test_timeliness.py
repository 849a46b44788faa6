import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from reports import workflow
from reports.deadlines import effective_deadline
from reports.models import Deadline, Extension, Level, Unit
from reports.timeliness import Timeliness, classify, timeliness_for
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
T = Timeliness


def local(*args):
    return dt.datetime(*args, tzinfo=HCM)


@pytest.fixture
def clock(monkeypatch):
    """Set the server clock; the workflow stamps its times from it."""

    def set_clock(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_clock


@pytest.fixture
def district(demo, unit, make_user):
    staff = make_user("705", "staff")
    reviewer = make_user("72", "reviewer")
    report = fill_report(create_report(demo, unit("705")), staff)
    return report, staff, reviewer


def status_of(round_, code, now):
    unit = Unit.objects.get(code=code)
    return timeliness_for(round_, [unit], now=now)[unit.pk]


def test_submitted_at_2359_local_on_the_due_day_is_on_time(demo, district, clock):
    report, staff, _ = district
    clock(local(2020, 12, 15, 23, 59))
    workflow.submit_report(report, actor=staff)
    item = status_of(demo, "705", local(2020, 12, 20))
    assert item.status == T.ON_TIME
    assert item.on_time is True
    assert item.days_late == 0


def test_submitted_at_midnight_after_the_due_day_is_late(demo, district, clock):
    report, staff, _ = district
    # 17:00 UTC on the 15th is 00:00 on the 16th in Vietnam.
    clock(dt.datetime(2020, 12, 15, 17, 0, tzinfo=dt.UTC))
    workflow.submit_report(report, actor=staff)
    item = status_of(demo, "705", local(2020, 12, 20))
    assert item.status == T.LATE
    assert item.on_time is False
    assert item.days_late == 1


def test_no_report_is_not_started_until_the_day_ends_then_overdue(demo):
    assert status_of(demo, "703", local(2020, 12, 15, 23, 59)).status == T.NOT_STARTED
    item = status_of(demo, "703", local(2020, 12, 16, 0, 0))
    assert item.status == T.OVERDUE
    assert item.days_left == -1 and item.days_late == 1


def test_a_draft_is_drafting_then_overdue(demo, district):
    assert status_of(demo, "705", local(2020, 12, 10)).status == T.DRAFTING
    assert status_of(demo, "705", local(2020, 12, 10)).days_left == 5
    assert status_of(demo, "705", local(2020, 12, 16)).status == T.OVERDUE


def test_returned_and_reopened_wait_for_changes_and_remember_the_first_submit(
    demo, district, clock
):
    report, staff, reviewer = district
    clock(local(2020, 12, 14, 9))
    workflow.submit_report(report, actor=staff)
    workflow.return_report(report, actor=reviewer, reason="Bổ sung Biểu 1.2")
    item = status_of(demo, "705", local(2020, 12, 20))
    assert (item.status, item.on_time) == (T.RETURNED, True)
    assert item.needs_report
    # Resubmitted after the deadline: the first submission still counts.
    clock(local(2020, 12, 18, 9))
    workflow.submit_report(report, actor=staff)
    assert status_of(demo, "705", local(2020, 12, 20)).status == T.ON_TIME
    workflow.approve_report(report, actor=reviewer)
    workflow.reopen_report(report, actor=reviewer, reason="Sửa số liệu")
    assert status_of(demo, "705", local(2020, 12, 20)).status == T.RETURNED


def test_approved_still_says_it_was_late(demo, district, clock):
    report, staff, reviewer = district
    clock(local(2020, 12, 16, 0, 0))
    workflow.submit_report(report, actor=staff)
    workflow.approve_report(report, actor=reviewer)
    item = status_of(demo, "705", local(2020, 12, 20))
    assert (item.status, item.on_time) == (T.APPROVED, False)
    assert item.approved_at == local(2020, 12, 16, 0, 0)
    assert item.is_reported and not item.is_submitted_on_time


def test_extension_shows_extended_until_its_new_date_has_passed(demo, district, clock):
    report, staff, reviewer = district
    Extension.objects.create(
        round=demo,
        unit=report.unit,
        new_date=dt.date(2020, 12, 22),
        reason="Bão lũ",
        granted_by=reviewer,
    )
    item = status_of(demo, "705", local(2020, 12, 20))
    assert item.status == T.EXTENDED
    assert item.deadline.due_date == dt.date(2020, 12, 22)
    assert item.days_left == 2
    assert status_of(demo, "705", local(2020, 12, 22, 23, 59)).status == T.EXTENDED
    assert status_of(demo, "705", local(2020, 12, 23, 0, 0)).status == T.OVERDUE
    # A submission before the new date's end is on time.
    clock(local(2020, 12, 22, 23, 59))
    workflow.submit_report(report, actor=staff)
    assert status_of(demo, "705", local(2020, 12, 23)).status == T.ON_TIME


def test_unit_without_a_deadline_is_never_overdue(demo):
    Deadline.objects.filter(round=demo, set_by__code="705").delete()
    item = status_of(demo, "25489", local(2030, 1, 1))
    assert item.deadline is None
    assert item.status == T.NOT_STARTED
    status, on_time = classify("submitted", local(2030, 1, 1), None, local(2030, 1, 2))
    assert (status, on_time) == (T.ON_TIME, True)


def test_bulk_deadlines_agree_with_one_by_one_resolution(demo, unit, make_user):
    # A scoped rule and an extension, so the shared-rule cache is put to the test.
    Deadline.objects.create(
        round=demo,
        level=Level.objects.get(code="xa"),
        due_date=dt.date(2020, 12, 1),
    )
    Deadline.objects.filter(round=demo, set_by__code="703").delete()
    Extension.objects.create(
        round=demo,
        unit=unit("25489"),
        new_date=dt.date(2020, 12, 9),
        reason="Ốm",
        granted_by=make_user("705", "reviewer"),
    )
    bulk = timeliness_for(demo, Unit.objects.all(), now=local(2020, 12, 5))
    units = list(Unit.objects.all())
    assert len(bulk) == len(units) > 100
    for u in units:
        expected = effective_deadline(u, demo)
        got = bulk[u.pk].deadline
        assert (got and got.due_date) == (expected and expected.due_date), u.code
    assert bulk[unit("25489").pk].status == T.EXTENDED
    # 703's communes fall back to the general rule.
    assert bulk[unit("25459").pk].deadline.due_date == dt.date(2020, 12, 1)


def test_bulk_timeliness_costs_three_queries_for_ten_or_all_units(
    demo, django_assert_num_queries
):
    with django_assert_num_queries(3):
        all_units = timeliness_for(demo, Unit.objects.all())
    with django_assert_num_queries(3):
        some = timeliness_for(demo, Unit.objects.filter(code__startswith="254"))
    assert len(all_units) > len(some) > 0


def test_sort_puts_overdue_first_and_approved_last(demo, district, clock):
    report, staff, reviewer = district
    clock(local(2020, 12, 10))
    workflow.submit_report(report, actor=staff)
    workflow.approve_report(report, actor=reviewer)
    items = sorted(
        timeliness_for(demo, Unit.objects.all(), now=local(2020, 12, 16)).values(),
        key=lambda item: item.sort_key,
    )
    assert items[0].status == T.OVERDUE
    assert items[-1].unit.code == "705" and items[-1].status == T.APPROVED
