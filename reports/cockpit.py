"""The progress cockpit: counts, rates, progress bars and a chart for a scope.

Built from one pass over the scope's timeliness (see ``reports.timeliness``), so
its cost in queries does not grow with the number of units.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Level, Report, Unit, UnitType
from .timeliness import (
    BADGE_CLASSES,
    UNIT_ROW_FIELDS,
    Timeliness,
    UnitRow,
    timeliness_for,
)

PAGE_SIZE = 50
# Timeliness statuses of a report that is submitted or approved.
REPORTED_STATUSES = (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.APPROVED)
MAX_DEADLINE_LINES = 4
# Member organisations share the districts' level but are a row of their own,
# after that level's, in the per-level table and in the units table.
ORG = UnitType.TO_CHUC


@dataclass(frozen=True)
class RowHeading:
    """What a per-level row is headed by: a ``Level``, or this for the orgs."""

    code: str
    name: str


MEMBER_ORGS = RowHeading(code=ORG.value, name=ORG.label)


def _row_of(unit):
    return ORG.value if unit.unit_type == ORG else unit.level_id


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

    @classmethod
    def of(cls, pairs):
        """From a Counter of (status, on_time) pairs."""
        tally = cls()
        for (status, on_time), n in pairs.items():
            tally.expected += n
            tally.counts[status] += n
            if status in REPORTED_STATUSES:
                tally.reported += n
                tally.on_time += n if on_time else 0
            if status == Timeliness.APPROVED:
                tally.approved += n
        return tally

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
    has_below: bool = True


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
    all_levels: list = field(default_factory=list)


def build_cockpit(round_, scope, *, level=None, parent=None, status=None, now=None):
    """The cockpit of ``scope`` (a unit queryset), filtered by level, parent, status.

    ``parent`` is a unit id inside the scope (LookupError otherwise); ``level`` a
    level code; ``status`` a ``Timeliness`` value. Table rows come sorted with
    the units most behind first.
    """
    now = now or timezone.now()
    # Only the units that are part of the round, on its date.
    scope = scope.as_of(round_.as_of)
    # The units at the top of the scope (a reviewer's children): the parent filter.
    top_all = [
        UnitRow(*values)
        for values in scope.exclude(parent__in=scope.values("pk"))
        .order_by("path")
        .values_list(*UNIT_ROW_FIELDS)
    ]
    parent_row = None
    if parent is not None:
        parent_row = next((row for row in top_all if row.pk == parent), None)
        if parent_row is None:
            found = scope.filter(pk=parent).values_list(*UNIT_ROW_FIELDS).first()
            if found is None:
                raise LookupError(parent)
            parent_row = UnitRow(*found)
        scope = scope.filter(path__startswith=parent_row.path).exclude(pk=parent_row.pk)
    timeliness = timeliness_for(round_, scope, now=now)
    levels = list(Level.objects.all())
    level_obj = next((lvl for lvl in levels if lvl.code == level), None)
    items = list(timeliness.values())
    by_level = Counter(
        (_row_of(item.unit), item.status, item.on_time) for item in items
    )

    def pairs(level_ids):
        counts = Counter()
        for (lv, st, ot), n in by_level.items():
            if lv in level_ids:
                counts[st, ot] += n
        return counts

    order = {lvl.pk: lvl.order for lvl in levels}
    rows = [
        (lvl.order, 0, LevelTally(lvl, Tally.of(pairs({lvl.pk})))) for lvl in levels
    ]
    org_orders = [order[i.unit.level_id] for i in items if i.unit.unit_type == ORG]
    if org_orders:
        orgs = LevelTally(MEMBER_ORGS, Tally.of(pairs({MEMBER_ORGS.code})))
        rows.append((min(org_orders), 1, orgs))
    rows.sort(key=lambda row: row[:2])
    level_tallies = [lt for *_, lt in rows if lt.tally.expected]
    if level_obj is None:
        in_level = items
    else:
        in_level = [item for item in items if item.unit.level_id == level_obj.pk]
    total = Tally.of(Counter((item.status, item.on_time) for item in in_level))
    status_counts = [
        {
            "value": choice.value,
            "label": choice.label,
            "count": total.counts[choice.value],
            "badge": BADGE_CLASSES[choice.value],
        }
        for choice in Timeliness
    ]
    filtered = in_level
    if status in Timeliness.values:
        filtered = [item for item in filtered if item.status == status]
    # Level by level (a reviewer's direct units first), the most behind first.
    filtered = sorted(
        filtered,
        key=lambda i: (
            order[i.unit.level_id],
            i.unit.unit_type == ORG,
            i.sort_key,
        ),
    )
    return Cockpit(
        items=filtered,
        levels=level_tallies,
        progress=_progress([item.unit for item in items], timeliness),
        status_counts=status_counts,
        total=total,
        chart=_chart(in_level, levels, now),
        parent=parent_row,
        parent_choices=_parent_choices(top_all, parent_row),
        all_levels=levels,
    )


def _tops(rows, by_pk):
    """The units of ``rows`` whose parent is not among them."""
    return [row for row in rows if row.parent_id not in by_pk]


def _parent_choices(tops, current):
    choices = list(tops)
    if current is not None and current not in choices:
        choices.append(current)
    return choices


def _progress(rows, timeliness):
    """One bar per top unit of ``rows``: its descendants' reporting."""
    by_pk = {row.pk: row for row in rows}
    tops = _tops(rows, by_pk)
    top_of_parent = {}

    def top_of(parent_id):
        # Memoised by parent: a few hundred parents for thousands of units.
        if parent_id not in top_of_parent:
            parent = by_pk[parent_id]
            top_of_parent[parent_id] = (
                parent.pk if parent.parent_id not in by_pk else top_of(parent.parent_id)
            )
        return top_of_parent[parent_id]

    pairs = Counter(
        (top_of(row.parent_id), item.status, item.on_time)
        for row in rows
        if row.parent_id in by_pk
        for item in (timeliness[row.pk],)
    )
    progress = []
    for top in tops:
        own = timeliness[top.pk]
        below = Counter({(s, o): n for (t, s, o), n in pairs.items() if t == top.pk})
        tally = Tally.of(below or Counter({(own.status, own.on_time): 1}))
        progress.append(Progress(top, own, tally, has_below=bool(below)))
    progress.sort(key=lambda p: (p.tally.reporting_rate, p.unit.path))
    return progress


@dataclass
class TableRow:
    """One line of the cockpit's table, ready to print (no template logic)."""

    item: object
    unit: Unit
    url: str
    extend_url: str
    due: str
    when: str
    when_class: str
    activity: str
    submitted_note: str
    submitted_class: str


def _when(item):
    """(text, css class): days left or late for the unit, or how it submitted."""
    if item.deadline is None:
        return "", ""
    if item.needs_report:
        days = item.days_left
        if days > 0:
            css = "text-warning-emphasis fw-semibold" if days <= 5 else ""
            return _("còn %(n)s ngày") % {"n": days}, css
        if days == 0:
            return _("hạn cuối hôm nay"), "text-warning-emphasis fw-semibold"
        return _("quá %(n)s ngày") % {"n": -days}, "text-danger fw-semibold"
    if item.days_late:
        return _("muộn %(n)s ngày") % {"n": item.days_late}, "text-danger"
    return _("đúng hạn"), "text-success"


def page_details(round_, items):
    """The table lines of one page: two queries (units, last activity)."""
    ids = [item.unit.pk for item in items]
    units = Unit.objects.filter(pk__in=ids).select_related("level", "parent")
    units = {unit.pk: unit for unit in units}
    activity = dict(
        Report.objects.filter(round=round_, unit__in=ids)
        .order_by()
        .values_list("unit_id", "last_activity_at")
    )
    # Reverse once, not twice per line.
    unit_base = reverse("unit_detail", args=[0])[: -len("0/")]
    extend_base = reverse("extension_grant", args=[0])[: -len("0/")]
    zone = timezone.get_current_timezone()
    rows = []
    for item in items:
        moment = activity.get(item.unit.pk)
        when, when_class = _when(item)
        note, note_class = "", ""
        if item.status in (Timeliness.APPROVED, Timeliness.RETURNED):
            if item.on_time:
                note, note_class = _("đúng hạn"), "text-success"
            elif item.on_time is not None:
                note, note_class = _("nộp muộn"), "text-danger"
        rows.append(
            TableRow(
                item=item,
                unit=units[item.unit.pk],
                url=f"{unit_base}{item.unit.pk}/",
                extend_url=f"{extend_base}{item.unit.pk}/",
                due=f"{item.deadline.due_date:%d/%m/%Y}" if item.deadline else "",
                when=when,
                when_class=when_class,
                activity=f"{moment.astimezone(zone):%H:%M %d/%m/%Y}" if moment else "—",
                submitted_note=note,
                submitted_class=note_class,
            )
        )
    return rows


def _local_days(texts):
    """Count UTC text timestamps by local day, converting each distinct hour once.

    Exact for whole-hour offsets such as Vietnam's (+07:00).
    """
    zone = timezone.get_current_timezone()
    days = Counter()
    for hour, n in Counter(text[:13] for text in texts).items():
        moment = dt.datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=dt.UTC)
        days[moment.astimezone(zone).date()] += n
    return days


def _chart(items, levels, now):
    """Cumulative first submissions and approvals per day (or week, month)."""
    submitted = _local_days(
        item.first_submitted_text for item in items if item.first_submitted_text
    )
    approved = _local_days(
        item.approved_text
        for item in items
        if item.status == Timeliness.APPROVED and item.approved_text
    )
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
    if end < today <= start + dt.timedelta(days=365):
        # Still running: carry the lines up to today, flat where nobody moved.
        end = today
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
