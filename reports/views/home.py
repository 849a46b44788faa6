"""The home page: what is each user's to do."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from .. import permissions
from ..deadlines import EffectiveDeadline, pick_deadline, round_rules
from ..models import Extension, Report, ReportStatus, Role
from ..rounds import current_round


@dataclass
class Task:
    membership: object
    deadline: EffectiveDeadline | None
    report: Report | None
    days_left: int | None
    below: dict | None = None

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
    tasks = []
    today = timezone.localdate()
    if round_ is not None and memberships:
        rules = round_rules(round_)
        units = [m.unit for m in memberships]
        extensions = list(Extension.objects.filter(round=round_, unit__in=units))
        reports = {
            r.unit_id: r for r in Report.objects.filter(round=round_, unit__in=units)
        }
        for membership in memberships:
            unit = membership.unit
            below = None
            if membership.role == Role.STAFF:
                deadline = pick_deadline(unit, rules, extensions)
            else:
                deadline = None
                if membership.role == Role.REVIEWER:
                    below = _below_summary(round_, unit)
            tasks.append(
                Task(
                    membership=membership,
                    deadline=deadline,
                    report=reports.get(unit.pk),
                    days_left=deadline.days_left(today) if deadline else None,
                    below=below,
                )
            )
    return render(
        request,
        "reports/home.html",
        {
            "round": round_,
            "tasks": tasks,
            "today": today,
            "is_admin": permissions.is_admin(user),
        },
    )


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
