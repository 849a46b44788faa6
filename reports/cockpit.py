"""The progress cockpit: counts, rates, progress bars and a chart for a scope.

Built from one pass over the scope's timeliness (see ``reports.timeliness``), so
its cost in queries does not grow with the number of units.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Level, Report, Unit
from .timeliness import BADGE_CLASSES, Timeliness, timeliness_for, unit_rows

PAGE_SIZE = 50
MAX_DEADLINE_LINES = 4


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else 0.0


@dataclass
class Tally:
    """DHIS2-style reporting figures for a group of units."""

    expected: int = 0
    reported: int = 0
    on_time: int = 0
    approved: int = 0
    counts: Counter = field(default_factory=Counter)

    def add(self, item):
        self.expected += 1
        self.reported += item.is_reported
        self.on_time += item.is_submitted_on_time
        self.approved += item.status == Timeliness.APPROVED
        self.counts[item.status] += 1

    @property
    def reporting_rate(self):
        """Submitted or approved, out of expected (as DHIS2's reporting rate)."""
        return _rate(self.reported, self.expected)

    @property
    def on_time_rate(self):
        """Submitted on time, out of expected (as DHIS2's reporting rate on time)."""
        return _rate(self.on_time, self.expected)

    @property
    def approved_rate(self):
        return _rate(self.approved, self.expected)

    @property
    def submitted_only_rate(self):
        return round(self.reporting_rate - self.approved_rate, 1)

    @property
    def behind(self):
        return self.counts[Timeliness.OVERDUE] + self.counts[Timeliness.RETURNED]


@dataclass
class LevelTally:
    level: Level
    tally: Tally


@dataclass
class Progress:
    """A progress bar: a unit's subtree (or the unit itself when it has none)."""

    unit: object
    own: object
    tally: Tally


@dataclass
class Cockpit:
    items: list
    levels: list
    progress: list
    status_counts: list
    total: Tally
    chart: dict
    parent: object = None
    parent_choices: list = field(default_factory=list)


def build_cockpit(round_, scope, *, level=None, parent=None, status=None, now=None):
    """The cockpit of ``scope`` (a unit queryset), filtered by level, parent, status.

    ``parent`` is a unit id inside the scope (LookupError otherwise); ``level`` a
    level code; ``status`` a ``Timeliness`` value. Table rows come sorted with
    the units most behind first.
    """
    now = now or timezone.now()
    rows = unit_rows(scope)
    by_pk = {row.pk: row for row in rows}
    parent_row = None
    if parent is not None:
        parent_row = by_pk.get(parent)
        if parent_row is None:
            raise LookupError(parent)
    top_all = _tops(rows, by_pk)
    if parent_row is not None:
        rows = [
            r
            for r in rows
            if r.path.startswith(parent_row.path) and r is not parent_row
        ]
    timeliness = timeliness_for(round_, rows, scope=scope, now=now)
    levels = list(Level.objects.all())
    level_tallies = {lvl.pk: Tally() for lvl in levels}
    for row in rows:
        level_tallies[row.level_id].add(timeliness[row.pk])
    level_obj = next((lvl for lvl in levels if lvl.code == level), None)
    filtered = [
        timeliness[r.pk]
        for r in rows
        if level_obj is None or r.level_id == level_obj.pk
    ]
    total = Tally()
    for item in filtered:
        total.add(item)
    status_counts = [
        {
            "value": choice.value,
            "label": choice.label,
            "count": total.counts[choice.value],
            "badge": BADGE_CLASSES[choice.value],
        }
        for choice in Timeliness
    ]
    if status in Timeliness.values:
        filtered = [item for item in filtered if item.status == status]
    filtered.sort(key=lambda item: item.sort_key)
    return Cockpit(
        items=filtered,
        levels=[
            LevelTally(lvl, level_tallies[lvl.pk])
            for lvl in levels
            if level_tallies[lvl.pk].expected
        ],
        progress=_progress(rows, by_pk, timeliness),
        status_counts=status_counts,
        total=total,
        chart=_chart(
            [
                timeliness[r.pk]
                for r in rows
                if level_obj is None or r.level_id == level_obj.pk
            ],
            levels,
            now,
        ),
        parent=parent_row,
        parent_choices=_parent_choices(top_all, parent_row),
    )


def _tops(rows, by_pk):
    """The units of ``rows`` whose parent is not among them."""
    return [row for row in rows if row.parent_id not in by_pk]


def _parent_choices(tops, current):
    choices = list(tops)
    if current is not None and current not in choices:
        choices.append(current)
    return choices


def _progress(rows, by_pk, timeliness):
    in_rows = {row.pk for row in rows}
    tops = [row for row in rows if row.parent_id not in in_rows]
    top_by_code = {row.code: row for row in tops}
    tallies = {row.pk: Tally() for row in tops}
    for row in rows:
        codes = row.path.split("/")[:-1]
        for code in codes[:-1]:
            top = top_by_code.get(code)
            if top is not None:
                tallies[top.pk].add(timeliness[row.pk])
                break
    progress = []
    for top in tops:
        tally = tallies[top.pk]
        if not tally.expected:
            tally.add(timeliness[top.pk])
        progress.append(Progress(unit=top, own=timeliness[top.pk], tally=tally))
    progress.sort(key=lambda p: (p.tally.reporting_rate, p.unit.path))
    return progress


def page_details(items):
    """Level, parent and last activity of one page of rows: two queries."""
    ids = [item.unit.pk for item in items]
    units = Unit.objects.filter(pk__in=ids).select_related("level", "parent")
    units = {unit.pk: unit for unit in units}
    activity = dict(
        Report.objects.filter(unit__in=ids)
        .order_by()
        .values_list("unit_id", "last_activity_at")
    )
    return [
        {
            "item": item,
            "unit": units[item.unit.pk],
            "activity": activity.get(item.unit.pk),
        }
        for item in items
    ]


def _local_day(moment):
    return timezone.localtime(moment).date()


def _chart(items, levels, now):
    """Cumulative first submissions and approvals per day (or week, month)."""
    submitted = Counter()
    approved = Counter()
    for item in items:
        if item.first_submitted_at is not None:
            submitted[_local_day(item.first_submitted_at)] += 1
        if item.status == Timeliness.APPROVED and item.approved_at is not None:
            approved[_local_day(item.approved_at)] += 1
    level_names = {lvl.pk: lvl.name for lvl in levels}
    due = Counter(
        (item.deadline.rule.due_date, item.unit.level_id)
        for item in items
        if item.deadline is not None and item.deadline.rule is not None
    )
    lines = sorted(due.most_common(MAX_DEADLINE_LINES))
    today = timezone.localdate(now)
    days = set(submitted) | set(approved) | {d for (d, _lvl), _n in lines}
    if not days:
        return {}
    start = min(days) - dt.timedelta(days=7)
    end = max(days) + dt.timedelta(days=3)
    step = 1 if (end - start).days <= 120 else 7 if (end - start).days <= 730 else 30
    labels, bucket_ends, sub_series, app_series = [], [], [], []
    sub_total = app_total = 0
    day = start
    sub_days = sorted(submitted.items())
    app_days = sorted(approved.items())
    while True:
        bucket_end = min(day + dt.timedelta(days=step - 1), end)
        while sub_days and sub_days[0][0] <= bucket_end:
            sub_total += sub_days.pop(0)[1]
        while app_days and app_days[0][0] <= bucket_end:
            app_total += app_days.pop(0)[1]
        labels.append(bucket_end.strftime("%d/%m/%Y"))
        bucket_ends.append(bucket_end)
        future = day > today
        sub_series.append(None if future else sub_total)
        app_series.append(None if future else app_total)
        if bucket_end >= end:
            break
        day = bucket_end + dt.timedelta(days=1)
    deadline_lines = []
    for (due_date, level_id), _count in lines:
        # The first bucket that holds the due date.
        index = next(i for i, end_ in enumerate(bucket_ends) if end_ >= due_date)
        deadline_lines.append(
            {
                "index": index,
                "label": _("Hạn cấp %(level)s %(date)s")
                % {"level": level_names.get(level_id, ""), "date": f"{due_date:%d/%m}"},
            }
        )
    return {
        "labels": labels,
        "submitted": sub_series,
        "approved": app_series,
        "expected": len(items),
        "deadlines": deadline_lines,
        "series_labels": {
            "submitted": _("Đã nộp (cộng dồn)"),
            "approved": _("Đã duyệt (cộng dồn)"),
            "expected": _("Số đơn vị phải nộp"),
        },
    }
