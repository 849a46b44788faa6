"""Every change of a report's status: one function per verb, one transitions table.

Nothing else assigns ``report.status``. Each verb locks the report row, checks the
actor's right and the transition, stamps server time, writes a ``ReportEvent`` and
sends mail once the transaction has committed.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions
from .completeness import missing_items
from .exports import files as export_files
from .models import (
    Report,
    ReportEvent,
    ReportStatus,
    ReportVersion,
    VersionCell,
)
from .outline import freeze_template

S = ReportStatus

# (action, from status) -> to status
TRANSITIONS = {
    ("submit", S.DRAFT): S.SUBMITTED,
    ("submit", S.RETURNED): S.SUBMITTED,
    ("submit", S.REOPENED): S.SUBMITTED,
    ("return", S.SUBMITTED): S.RETURNED,
    ("approve", S.SUBMITTED): S.APPROVED,
    ("reopen", S.APPROVED): S.REOPENED,
}

ACTION_LABELS = {
    "submit": _("Nộp báo cáo"),
    "return": _("Trả lại để sửa"),
    "approve": _("Duyệt"),
    "reopen": _("Mở lại để sửa"),
}


class TransitionNotAllowed(Exception):
    """The action cannot be taken now; the message says why, in Vietnamese."""


class SubmitBlocked(TransitionNotAllowed):
    """Submit refused because items are missing; ``items`` lists them."""

    def __init__(self, items):
        super().__init__(_("Báo cáo còn thiếu %(n)s mục.") % {"n": len(items)})
        self.items = items


def _may(action, report, user):
    if action == "submit":
        return permissions.is_staff_of(user, report.unit)
    return permissions.can_review(user, report)


def allowed_transitions(report, user):
    """The actions ``user`` may take on ``report`` now (for the page's buttons)."""
    return [
        action
        for (action, source) in TRANSITIONS
        if source == report.status and _may(action, report, user)
    ]


def _lock(report):
    return (
        Report.objects.select_for_update()
        .select_related("unit", "template")
        .get(pk=report.pk)
    )


def _check(action, locked, actor, expected_status=None):
    if expected_status is not None and locked.status != expected_status:
        raise TransitionNotAllowed(
            _(
                "Báo cáo đã chuyển sang trạng thái “%(status)s” từ khi anh/chị mở "
                "trang; không thực hiện lại thao tác."
            )
            % {"status": locked.get_status_display()}
        )
    if not _may(action, locked, actor):
        raise TransitionNotAllowed(
            _("Anh/chị không có quyền “%(action)s” báo cáo này.")
            % {"action": ACTION_LABELS[action]}
        )
    target = TRANSITIONS.get((action, locked.status))
    if target is None:
        raise TransitionNotAllowed(
            _("Không thể “%(action)s” khi báo cáo đang ở trạng thái “%(status)s”.")
            % {"action": ACTION_LABELS[action], "status": locked.get_status_display()}
        )
    return target


def _record(locked, action, target, actor, comment="", version=None, now=None):
    event = ReportEvent.objects.create(
        report=locked,
        version=version,
        action=action,
        from_status=locked.status,
        to_status=target,
        actor=actor,
        comment=comment,
        created_at=now or timezone.now(),
    )
    locked.status = target
    return event


def freeze_version(report, *, actor, now):
    """Copy the draft into an immutable ``ReportVersion`` and return it."""
    number = (
        report.versions.order_by("-number").values_list("number", flat=True).first()
        or 0
    ) + 1
    answers = {
        a.section.code: {"text": a.text, "shortcomings": a.shortcomings}
        for a in report.answers.select_related("section")
    }
    models_data = [
        {
            "id": m.pk,
            "name": m.name,
            "content_area": m.content_area,
            "unit_in_charge": m.unit_in_charge,
            "year_started": m.year_started,
            "description": m.description,
            "results": m.results,
        }
        for m in report.models.all()
    ]
    commendations = [
        {
            "kind": c.kind,
            "name": c.name,
            "position": c.position,
            "unit_name": c.unit_name,
            "achievements": c.achievements,
            "award": c.award,
        }
        for c in report.commendations.all()
    ]
    attachments = [
        {
            "id": a.pk,
            "kind": a.kind,
            "name": a.original_name,
            "size": a.size,
            "sha256": a.sha256,
            "content_type": a.content_type,
            "model_id": a.exemplary_model_id,
        }
        for a in report.attachments.all()
    ]
    version = ReportVersion.objects.create(
        report=report,
        number=number,
        template=report.template,
        created_at=now,
        created_by=actor,
        answers=answers,
        models_data=models_data,
        commendations=commendations,
        attachments=attachments,
        header={
            "document_number": report.document_number,
            "document_date": (
                report.document_date.isoformat() if report.document_date else None
            ),
            "signer_title": report.signer_title,
            "signer_name": report.signer_name,
            "recipients": report.recipients,
        },
    )
    VersionCell.objects.bulk_create(
        VersionCell(
            version=version,
            column_id=c.column_id,
            num=c.num,
            text=c.text,
            flag=c.flag,
            docs=c.docs,
            no_data=c.no_data,
            note=c.note,
        )
        for c in report.cells.all()
    )
    return version


def submit_report(report, *, actor, expected_status=None):
    """Submit a draft (or returned / reopened) report and freeze its version.

    Raises ``SubmitBlocked`` with the missing items when it is incomplete.
    """
    with transaction.atomic():
        locked = _lock(report)
        target = _check("submit", locked, actor, expected_status)
        items = missing_items(locked)
        if items:
            raise SubmitBlocked(items)
        now = timezone.now()
        version = freeze_version(locked, actor=actor, now=now)
        freeze_template(locked.template)
        _record(locked, "submit", target, actor, version=version, now=now)
        locked.submitted_at = now
        if locked.first_submitted_at is None:
            locked.first_submitted_at = now
        locked.save()
    _refresh(report, locked)
    return version


def return_report(report, *, actor, reason, expected_status=None):
    """Return a submitted report to its unit for revision; a reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed(_("Cần ghi lý do trả lại báo cáo."))
    with transaction.atomic():
        locked = _lock(report)
        target = _check("return", locked, actor, expected_status)
        _record(locked, "return", target, actor, comment=reason)
        locked.save()
    _refresh(report, locked)
    return locked


def approve_report(report, *, actor, comment="", expected_status=None):
    """Approve the latest submitted version of a report."""
    with transaction.atomic():
        locked = _lock(report)
        target = _check("approve", locked, actor, expected_status)
        now = timezone.now()
        version = locked.versions.order_by("-number").first()
        _record(
            locked, "approve", target, actor, comment=comment, version=version, now=now
        )
        locked.approved_at = now
        locked.approved_version = version
        locked.save()
        if version is not None:
            # The approved version's PDF is sealed once the approval is durable.
            transaction.on_commit(lambda: export_files.seal_after_approval(version.pk))
    _refresh(report, locked)
    return locked


def reopen_report(report, *, actor, reason, expected_status=None):
    """Reopen an approved report for editing; the approved version stays on record."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed(_("Cần ghi lý do mở lại báo cáo."))
    with transaction.atomic():
        locked = _lock(report)
        target = _check("reopen", locked, actor, expected_status)
        _record(locked, "reopen", target, actor, comment=reason)
        locked.save()
    _refresh(report, locked)
    return locked


def _refresh(report, locked):
    for name in (
        "status",
        "submitted_at",
        "first_submitted_at",
        "approved_at",
        "approved_version_id",
        "revision",
    ):
        setattr(report, name, getattr(locked, name))
