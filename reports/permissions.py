"""The one gate to units and reports: who may see and do what, by unit subtree."""

from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from .models import (
    Attachment,
    Commendation,
    ExemplaryModel,
    Membership,
    Report,
    Role,
    Unit,
)


def memberships_of(user):
    """The user's memberships (cached on the user object for the request), each
    with ``unit_has_children``: whether active units report to its unit."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_sokket_memberships", None)
    if cached is None:
        below = Unit.objects.filter(parent=OuterRef("unit"), is_active=True)
        cached = list(
            Membership.objects.filter(user=user)
            .select_related("unit__level")
            .annotate(unit_has_children=Exists(below))
        )
        user._sokket_memberships = cached
    return cached


def is_admin(user):
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(m.role == Role.ADMIN for m in memberships_of(user))


def units_with_role(user, role):
    return [m.unit for m in memberships_of(user) if m.role == role]


def drafts_from_below(user):
    """Units whose report the user writes from the reports of the units below
    (the provincial drafter): staff of a unit with active children."""
    return [
        m.unit
        for m in memberships_of(user)
        if m.role == Role.STAFF and m.unit_has_children
    ]


def _subtree_q(units, prefix=""):
    if not units:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{prefix}path__startswith": u.path}) for u in units))


def units_visible_to(user):
    """Units the user may see: the subtree of each unit they belong to."""
    if is_admin(user):
        return Unit.objects.all()
    units = [m.unit for m in memberships_of(user)]
    return Unit.objects.filter(_subtree_q(units))


def reviewable_units(user):
    """Units strictly below the units where the user is a reviewer."""
    if is_admin(user):
        return Unit.objects.all()
    reviewer_units = units_with_role(user, Role.REVIEWER)
    return Unit.objects.filter(_subtree_q(reviewer_units)).exclude(
        pk__in=[u.pk for u in reviewer_units]
    )


def get_unit_for_user_or_404(user, pk):
    """A unit in the user's subtree; 404 for both missing and not theirs."""
    try:
        return units_visible_to(user).select_related("level", "parent").get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def reports_visible_to(user):
    """Reports the user may read: their own units' and those they review."""
    qs = Report.objects.select_related("unit__level", "round", "template")
    if is_admin(user):
        return qs
    own = [m.unit.pk for m in memberships_of(user) if m.role == Role.STAFF]
    reviewer_units = units_with_role(user, Role.REVIEWER)
    reviewed = _subtree_q(reviewer_units, prefix="unit__") & ~Q(
        unit__in=[u.pk for u in reviewer_units]
    )
    return (
        qs.filter(Q(unit__in=own) | reviewed) if (own or reviewer_units) else qs.none()
    )


def get_report_for_user_or_404(user, pk):
    """A report the user may read; 404 for both missing and not theirs."""
    try:
        return reports_visible_to(user).get(pk=pk)
    except (Report.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def is_staff_of(user, unit):
    return any(
        m.role == Role.STAFF and m.unit.pk == unit.pk for m in memberships_of(user)
    )


def reviews_unit(user, unit):
    """True when the user is a reviewer of a strict ancestor of ``unit``."""
    return any(
        m.role == Role.REVIEWER
        and m.unit.pk != unit.pk
        and unit.path.startswith(m.unit.path)
        for m in memberships_of(user)
    )


def can_edit(user, report):
    """Unit staff edit their own unit's report while it is open for editing."""
    return user.is_active and is_staff_of(user, report.unit) and report.is_editable


def can_review(user, report):
    """Reviewers of an ancestor unit review; nobody reviews their own unit."""
    return (
        user.is_active
        and reviews_unit(user, report.unit)
        and not is_staff_of(user, report.unit)
    )


def can_grant_extension(user, unit):
    """Reviewers of an ancestor unit (and administrators) extend a unit's deadline;
    nobody extends their own unit's."""
    if not user.is_active:
        return False
    if is_admin(user):
        return True
    return reviews_unit(user, unit) and not is_staff_of(user, unit)


def can_use_cockpit(user):
    """Reviewers and administrators follow the progress of the units below them."""
    return is_admin(user) or bool(units_with_role(user, Role.REVIEWER))


def _report_child_for_user_or_404(model, user, pk):
    try:
        return (
            model.objects.select_related(
                "report__unit__level", "report__round", "report__template"
            )
            .filter(report__in=reports_visible_to(user).values("pk"))
            .get(pk=pk)
        )
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_model_for_user_or_404(user, pk):
    """An exemplary model of a report the user may read; 404 otherwise."""
    return _report_child_for_user_or_404(ExemplaryModel, user, pk)


def get_attachment_for_user_or_404(user, pk):
    """An attachment of a report the user may read; 404 otherwise."""
    return _report_child_for_user_or_404(Attachment, user, pk)


def get_commendation_for_user_or_404(user, pk):
    """A commendation proposal of a report the user may read; 404 otherwise."""
    return _report_child_for_user_or_404(Commendation, user, pk)


def consolidating_units(user):
    """Units whose consolidation the user may read.

    Reviewers: their unit and its subtree. Staff: their own unit only (they
    write its report from the consolidation). Admins: every unit.
    """
    if is_admin(user):
        return Unit.objects.all()
    reviewer_units = units_with_role(user, Role.REVIEWER)
    own = [m.unit.pk for m in memberships_of(user) if m.role == Role.STAFF]
    return Unit.objects.filter(_subtree_q(reviewer_units) | Q(pk__in=own))


def get_consolidation_unit_or_404(user, pk):
    """A unit the user may consolidate; 404 for both missing and not theirs."""
    try:
        return consolidating_units(user).select_related("level").get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def reviews_subtree_of(user, unit):
    """True for admins and reviewers of ``unit`` itself or of an ancestor: they
    may export its consolidation."""
    if is_admin(user):
        return True
    return user.is_active and any(
        m.role == Role.REVIEWER and unit.path.startswith(m.unit.path)
        for m in memberships_of(user)
    )
