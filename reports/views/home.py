"""The home page: each role's next step, one click away."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..completeness import missing_items, unanswered_comment_items
from ..deadlines import EffectiveDeadline, pick_deadline, round_rules
from ..models import (
    Deadline,
    EventAction,
    Extension,
    Membership,
    Report,
    ReportStatus,
    ReportTemplate,
    Role,
)
from ..prefill import source_states
from ..rounds import current_round
from ..timeliness import Timeliness, timeliness_for


@dataclass
class Task:
    membership: object
    report: Report | None
    deadline: EffectiveDeadline | None = None
    days_left: int | None = None
    below: dict | None = None
    # Staff: what blocks submitting, why it came back, the comments to answer.
    missing: int | None = None
    return_reason: str = ""
    open_comments: int = 0
    # Staff who write their report from the units below: where those stand.
    sources: dict | None = None
    # Reviewers: the next report to read, the units late without a report.
    waiting: Report | None = None
    overdue: int = 0
    overdue_url: str = ""

    @property
    def days_late(self):
        return -self.days_left if self.days_left is not None else None


@login_required
def home(request):
    user = request.user
    round_ = current_round()
    memberships = permissions.memberships_of(user)
    if round_ is not None:
        # A unit that is not part of the round (retired, or not yet formed on
        # its date) is not invited to report in it.
        memberships = [m for m in memberships if m.unit.is_valid_on(round_.as_of)]
    is_admin = permissions.is_admin(user)
    return render(
        request,
        "reports/home.html",
        {
            "round": round_,
            "tasks": _tasks(round_, memberships) if round_ and memberships else [],
            "is_admin": is_admin,
            "setup": _round_setup(round_) if round_ and is_admin else None,
        },
    )


def _tasks(round_, memberships):
    context = {
        "round_": round_,
        "today": timezone.localdate(),
        "rules": round_rules(round_),
        "extensions": list(
            Extension.objects.filter(
                round=round_, unit__in=[m.unit for m in memberships]
            )
        ),
    }
    reports = {
        r.unit_id: r
        for r in Report.objects.filter(
            round=round_, unit__in=[m.unit for m in memberships]
        )
    }
    tasks = []
    for membership in memberships:
        task = Task(membership=membership, report=reports.get(membership.unit.pk))
        NEXT_STEP.get(membership.role, _nothing)(task, **context)
        tasks.append(task)
    return tasks


def _nothing(task, **context):  # administrators: see the round set-up
    pass


def _staff_step(task, *, round_, today, rules, extensions):
    """Start, continue, answer the comments, submit; or pre-fill from below."""
    unit = task.membership.unit
    task.deadline = pick_deadline(unit, rules, extensions)
    task.days_left = task.deadline.days_left(today) if task.deadline else None
    report = task.report
    if task.membership.unit_has_children:
        task.sources = _sources(round_, unit, report)
    if report is None or not report.is_editable:
        return
    task.missing = len(missing_items(report))
    if report.status == ReportStatus.RETURNED:
        last_return = report.events.filter(action=EventAction.RETURN).last()
        task.return_reason = last_return.comment if last_return else ""
        task.open_comments = len(unanswered_comment_items(report))


def _sources(round_, unit, report):
    children = unit.children_as_of(round_.as_of)
    approved = Report.objects.filter(
        round=round_, unit__in=children, status=ReportStatus.APPROVED
    )
    states = source_states(report) if report is not None else []
    return {
        "total": children.count(),
        "approved": approved.count(),
        "stale": sum(state.is_stale for state in states),
    }


def _reviewer_step(task, *, round_, today, rules, extensions):
    """The next report waiting for review; the reviewed units late without one."""
    unit = task.membership.unit
    task.below = _below_summary(round_, unit)
    task.waiting = (
        Report.objects.filter(
            round=round_, unit__parent=unit, status=ReportStatus.SUBMITTED
        )
        .order_by("submitted_at", "pk")
        .first()
    )
    scope = unit.children_as_of(round_.as_of)  # the units they review
    task.overdue = sum(
        item.status == Timeliness.OVERDUE
        for item in timeliness_for(round_, scope).values()
    )
    level = scope.values_list("level__code", flat=True).first()
    task.overdue_url = (
        reverse("cockpit")
        + "?"
        + urlencode({"status": Timeliness.OVERDUE, "level": level or ""})
    )


NEXT_STEP = {Role.STAFF: _staff_step, Role.REVIEWER: _reviewer_step}


def _below_summary(round_, unit):
    """Counts of the units directly below ``unit`` by where their report stands."""
    children = unit.children_as_of(round_.as_of)
    total = children.count()
    counts = Report.objects.filter(round=round_, unit__in=children).aggregate(
        submitted=Count("pk", filter=Q(status=ReportStatus.SUBMITTED)),
        approved=Count("pk", filter=Q(status=ReportStatus.APPROVED)),
        returned=Count("pk", filter=Q(status=ReportStatus.RETURNED)),
        started=Count("pk"),
    )
    counts["total"] = total
    counts["not_started"] = total - counts["started"]
    return counts


def _round_setup(round_):
    """The administrator's checklist for a round: each item with its state, a
    line saying what is there or missing, and the admin page where it is set."""
    units = round_.units()
    staffed = Membership.objects.filter(role=Role.STAFF).values("unit")
    unstaffed = units.exclude(pk__in=staffed).count()
    templates = ReportTemplate.objects.filter(round=round_).count()
    levels = units.order_by().values("level").distinct().count()
    dated = (
        Deadline.objects.filter(round=round_, level__isnull=False)
        .order_by()
        .values("level")
        .distinct()
        .count()
    )
    return [
        {
            "label": _("Đơn vị"),
            "done": units.exists(),
            "note": _("%(n)s đơn vị trong đợt") % {"n": units.count()},
            "url": reverse("admin:reports_unit_changelist"),
        },
        {
            "label": _("Mẫu báo cáo"),
            "done": templates > 0,
            "note": _("%(n)s mẫu cho đợt này") % {"n": templates},
            "url": reverse("admin:reports_reporttemplate_changelist"),
        },
        {
            "label": _("Hạn nộp"),
            "done": dated >= levels,
            "note": _("đã đặt cho %(dated)s/%(levels)s cấp")
            % {"dated": dated, "levels": levels},
            "url": reverse("admin:reports_deadline_changelist"),
        },
        {
            "label": _("Tài khoản"),
            "done": unstaffed == 0,
            "note": _("%(n)s đơn vị chưa có tài khoản cán bộ") % {"n": unstaffed}
            if unstaffed
            else _("mọi đơn vị đã có tài khoản cán bộ"),
            "url": reverse("admin:reports_membership_changelist"),
        },
    ]
