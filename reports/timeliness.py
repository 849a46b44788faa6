"""Where each unit stands against its effective deadline (tiến độ nộp báo cáo).

One status per unit, decided in this order (the first that holds wins):

1. ``approved`` (đã duyệt): the report is approved. ``on_time`` still says whether
   its first submission was on time.
2. ``on_time`` / ``late`` (đã nộp đúng hạn / nộp muộn): submitted and waiting for
   review; judged by ``first_submitted_at`` against the effective deadline's
   ``closes_at`` (end of the due day, Asia/Ho_Chi_Minh). The first submission
   counts because a return is the reviewer's act, not the unit's delay.
3. ``returned`` (bị trả lại chờ sửa): returned, or reopened after approval; the
   unit has to fix and resubmit. ``on_time`` tells how its first submission went.
4. Not submitted yet (no report, or a draft):
   - ``extended`` (được gia hạn): the unit has an extension whose new date has not
     passed;
   - ``overdue`` (quá hạn chưa nộp): the effective deadline (extension included)
     has passed;
   - ``not_started`` (chưa bắt đầu): no report; ``drafting`` (đang soạn): a draft.

A unit without any deadline is never overdue, and its submission counts as on time.
Everything is computed from rows fetched once (rules, extensions, reports), so a
whole province or country costs a fixed number of queries; ``now`` can be given.
"""

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from django.db import models
from django.db.models import FilteredRelation, Q
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .deadlines import EffectiveDeadline, round_rules, rule_deadline, with_extensions
from .models import Extension, Report, ReportStatus

S = ReportStatus


class Timeliness(models.TextChoices):
    OVERDUE = "overdue", _("Quá hạn chưa nộp")
    RETURNED = "returned", _("Bị trả lại chờ sửa")
    NOT_STARTED = "not_started", _("Chưa bắt đầu")
    DRAFTING = "drafting", _("Đang soạn")
    EXTENDED = "extended", _("Được gia hạn")
    LATE = "late", _("Nộp muộn")
    ON_TIME = "on_time", _("Đã nộp đúng hạn")
    APPROVED = "approved", _("Đã duyệt")


T = Timeliness

# "Who is behind" first: the order of the cockpit's table.
BEHIND_ORDER = {status: index for index, status in enumerate(T.values)}

# Bootstrap colours of the status badges.
BADGE_CLASSES = {
    T.OVERDUE: "text-bg-danger",
    T.RETURNED: "text-bg-warning",
    T.NOT_STARTED: "text-bg-secondary",
    T.DRAFTING: "text-bg-light border",
    T.EXTENDED: "text-bg-info",
    T.LATE: "text-bg-orange",
    T.ON_TIME: "text-bg-primary",
    T.APPROVED: "text-bg-success",
}

NO_DEADLINE = 10**6
SORT_BAND = 10**7
NOT_SUBMITTED = (None, S.DRAFT, S.RETURNED, S.REOPENED)
REPORTED = (S.SUBMITTED, S.APPROVED)


class UnitRow(NamedTuple):
    """The few unit fields deadline resolution reads (cheaper than a model)."""

    pk: int
    code: str
    name: str
    level_id: int
    unit_type: str
    parent_id: int | None
    path: str


UNIT_ROW_FIELDS = (
    "pk",
    "code",
    "name",
    "level_id",
    "unit_type",
    "parent_id",
    "path",
)


# Timestamps are compared as UTC text "YYYY-MM-DD HH:MM:SS" (see _report_rows).
UTC_TEXT = "%Y-%m-%d %H:%M:%S"


def _utc_text(moment):
    return moment.astimezone(dt.UTC).strftime(UTC_TEXT)


def _from_utc_text(text):
    if text is None:
        return None
    return dt.datetime.strptime(text, UTC_TEXT).replace(tzinfo=dt.UTC)


class UnitTimeliness(NamedTuple):
    unit: object
    status: str
    deadline: EffectiveDeadline | None
    report_status: str | None
    first_submitted_text: str | None
    approved_text: str | None
    on_time: bool | None
    days_left: int | None
    # Most behind first: overdue by days late, then the nearest due date; one
    # integer (sorted is stable, so units keep their tree order within a key).
    sort_key: int = 0

    @property
    def first_submitted_at(self):
        return _from_utc_text(self.first_submitted_text)

    @property
    def approved_at(self):
        return _from_utc_text(self.approved_text)

    @property
    def label(self):
        return T(self.status).label

    @property
    def badge(self):
        return BADGE_CLASSES[self.status]

    @property
    def is_reported(self):
        return self.report_status in REPORTED

    @property
    def is_submitted_on_time(self):
        return self.is_reported and bool(self.on_time)

    @property
    def needs_report(self):
        """Not submitted: no report, a draft, or returned / reopened for changes."""
        return self.report_status in NOT_SUBMITTED

    @property
    def days_late(self):
        """Days past the due date: of the first submission, or of today if none."""
        if self.deadline is None:
            return None
        if self.first_submitted_text is not None:
            day = timezone.localtime(self.first_submitted_at).date()
            return max((day - self.deadline.due_date).days, 0)
        return max(-self.days_left, 0)


def _status(report_status, on_time, deadline, closed):
    if report_status == S.APPROVED:
        return T.APPROVED
    if report_status == S.SUBMITTED:
        return T.ON_TIME if on_time else T.LATE
    if report_status in (S.RETURNED, S.REOPENED):
        return T.RETURNED
    if deadline is not None:
        if closed:
            return T.OVERDUE
        if deadline.is_extended:
            return T.EXTENDED
    if report_status is None:
        return T.NOT_STARTED
    return T.DRAFTING


def classify(report_status, first_submitted_at, deadline, now):
    """The status and on-time flag of one unit (see the module docstring)."""
    on_time = None
    if first_submitted_at is not None:
        on_time = deadline is None or deadline.is_on_time(first_submitted_at)
    closed = deadline is not None and now >= deadline.closes_at
    return _status(report_status, on_time, deadline, closed), on_time


def _utc_text_of(field):
    """A timestamp column as UTC text "YYYY-MM-DD HH:MM:SS".

    The first 19 characters of a timestamp cast to text, on SQLite and on
    PostgreSQL with Django's UTC session. Such text compares like the moments
    themselves, and building 22,000 datetimes would cost more than everything
    else on 11,000 units.
    """
    return Substr(Cast(field, models.CharField()), 1, 19)


def _rows_with_reports(round_, units):
    """Light unit rows (in tree order) and their report in ``round_``: one query."""
    rows = (
        units.order_by("path")
        .annotate(
            current=FilteredRelation("reports", condition=Q(reports__round=round_)),
            first_text=_utc_text_of("current__first_submitted_at"),
            approved_text=_utc_text_of("current__approved_at"),
        )
        .values_list(*UNIT_ROW_FIELDS, "current__status", "first_text", "approved_text")
    )
    n = len(UNIT_ROW_FIELDS)
    units, reports = [], {}
    for values in rows:
        unit = UnitRow(*values[:n])
        units.append(unit)
        if values[n] is not None:
            reports[unit.pk] = values[n:]
    return units, reports


def _report_rows(round_, units):
    """(status, first submitted, approved) by unit id, for units in hand."""
    rows = (
        Report.objects.filter(round=round_, unit__in=[u.pk for u in units])
        .order_by()
        .annotate(
            first_text=_utc_text_of("first_submitted_at"),
            approved_text=_utc_text_of("approved_at"),
        )
        .values_list("unit_id", "status", "first_text", "approved_text")
    )
    return {
        unit_id: (status, first, approved) for unit_id, status, first, approved in rows
    }


def timeliness_for(round_, units, *, now=None):
    """The timeliness of every unit of ``units`` in ``round_``, by unit id.

    ``units`` is a queryset of ``Unit`` (read as light rows joined to their
    report) or a list of units already in hand. Three queries, whatever their
    number.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    now_text = _utc_text(now)
    if isinstance(units, models.QuerySet):
        ext_units = units.values("pk")
        units, reports = _rows_with_reports(round_, units)
    else:
        ext_units = [u.pk for u in units]
        reports = _report_rows(round_, units)
    rules = round_rules(round_)
    extensions = defaultdict(list)
    for ext in Extension.objects.filter(round=round_, unit__in=ext_units):
        extensions[ext.unit_id].append(ext)
    # Rules match by level, type and ancestors, so siblings of a kind share one.
    rule_cache = {}
    closes_cache = {None: None}
    result = {}
    for unit in units:
        key = (unit.parent_id, unit.level_id, unit.unit_type)
        if key not in rule_cache:
            rule_cache[key] = rule_deadline(unit, rules)
        deadline = rule_cache[key]
        if unit.pk in extensions:
            deadline = with_extensions(deadline, extensions[unit.pk])
        due = deadline.due_date if deadline is not None else None
        if due not in closes_cache:
            closes_cache[due] = _utc_text(deadline.closes_at)
        closes = closes_cache[due]
        report_status, first, approved = reports.get(unit.pk, (None, None, None))
        on_time = None if first is None else (closes is None or first < closes)
        closed = closes is not None and now_text >= closes
        status = _status(report_status, on_time, deadline, closed)
        days_left = None if due is None else (due - today).days
        result[unit.pk] = UnitTimeliness(
            unit,
            status,
            deadline,
            report_status,
            first,
            approved,
            on_time,
            days_left,
            BEHIND_ORDER[status] * SORT_BAND
            + (NO_DEADLINE if due is None else days_left),
        )
    return result
