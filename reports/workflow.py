"""Every change of a report's status: one function per verb, one transitions table.

Nothing else assigns ``report.status``. Each verb locks the report row, checks the
actor's right and the transition, stamps server time, writes a ``ReportEvent`` and
sends mail once the transaction has committed.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import permissions
from .completeness import missing_items
from .exports import files as export_files
from .models import (
    EventAction,
    Membership,
    ReopenRequest,
    ReopenStatus,
    Report,
    ReportEvent,
    ReportStatus,
    ReportVersion,
    ReviewComment,
    Role,
    VersionCell,
)
from .outline import freeze_template
from .quality import check as quality

logger = logging.getLogger(__name__)

S = ReportStatus
A = EventAction

# (action, from status) -> to status. Asking to reopen and refusing a request
# leave the status where it is but are transitions of the audit trail all the same.
TRANSITIONS = {
    (A.SUBMIT, S.DRAFT): S.SUBMITTED,
    (A.SUBMIT, S.RETURNED): S.SUBMITTED,
    (A.SUBMIT, S.REOPENED): S.SUBMITTED,
    (A.RETURN, S.SUBMITTED): S.RETURNED,
    (A.APPROVE, S.SUBMITTED): S.APPROVED,
    (A.REOPEN, S.APPROVED): S.REOPENED,
    (A.REQUEST_REOPEN, S.APPROVED): S.APPROVED,
    (A.REFUSE_REOPEN, S.APPROVED): S.APPROVED,
}

ACTION_LABELS = {
    A.SUBMIT: gettext_lazy("Nộp báo cáo"),
    A.RETURN: gettext_lazy("Trả lại để sửa"),
    A.APPROVE: gettext_lazy("Duyệt"),
    A.REOPEN: gettext_lazy("Mở lại để sửa"),
    A.REQUEST_REOPEN: gettext_lazy("Đề nghị mở lại"),
    A.REFUSE_REOPEN: gettext_lazy("Không đồng ý mở lại"),
}

# What a repeated action says happened the first time.
DONE_MESSAGES = {
    A.SUBMIT: gettext_lazy("Báo cáo đã được nộp lúc %(at)s (%(actor)s)."),
    A.RETURN: gettext_lazy("Báo cáo đã được trả lại lúc %(at)s (%(actor)s)."),
    A.APPROVE: gettext_lazy("Báo cáo đã được duyệt lúc %(at)s (%(actor)s)."),
    A.REOPEN: gettext_lazy("Báo cáo đã được mở lại lúc %(at)s (%(actor)s)."),
    A.REQUEST_REOPEN: gettext_lazy(
        "Đề nghị mở lại đã được gửi lúc %(at)s (%(actor)s)."
    ),
    A.REFUSE_REOPEN: gettext_lazy(
        "Đề nghị mở lại đã bị từ chối lúc %(at)s (%(actor)s)."
    ),
}


class TransitionNotAllowed(Exception):
    """The action cannot be taken now; the message says why, in Vietnamese."""


class AlreadyDone(TransitionNotAllowed):
    """The same action was already taken (a double click or a replayed form)."""

    def __init__(self, event):
        super().__init__(
            DONE_MESSAGES[event.action]
            % {"at": format_time(event.created_at), "actor": display_name(event.actor)}
        )
        self.event = event


class SubmitBlocked(TransitionNotAllowed):
    """Submit refused because items are missing; ``items`` lists them."""

    def __init__(self, items):
        refused = sum(1 for item in items if item.refused)
        if refused:
            message = _(
                "Còn %(n)s giá trị chưa hợp lệ (đã giữ nguyên như đã gõ nhưng "
                "chưa được lưu vào báo cáo); hãy sửa trước khi nộp."
            ) % {"n": refused}
        else:
            message = _("Báo cáo còn thiếu %(n)s mục.") % {"n": len(items)}
        super().__init__(message)
        self.items = items


def format_time(value):
    return formats.date_format(timezone.localtime(value), "d/m/Y H:i")


def display_name(user):
    return user.get_full_name() or user.get_username()


def pending_reopen_request(report):
    return report.reopen_requests.filter(status=ReopenStatus.PENDING).first()


STAFF_ACTIONS = (A.SUBMIT, A.REQUEST_REOPEN)


def _has_role(action, report, user):
    """The unit's own staff submit and ask; reviewers of an ancestor decide."""
    if action in STAFF_ACTIONS:
        return user.is_active and permissions.is_staff_of(user, report.unit)
    return permissions.can_review(user, report)


def _may(action, report, user):
    if not _has_role(action, report, user):
        return False
    if action == A.REQUEST_REOPEN:
        return pending_reopen_request(report) is None
    if action == A.REFUSE_REOPEN:
        return pending_reopen_request(report) is not None
    return True


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


def _check(action, locked, actor, expected_status=None, expected_version=None):
    # Who may act comes first: nobody else learns what happened to the report.
    if not _has_role(action, locked, actor):
        raise TransitionNotAllowed(
            _("Anh/chị không có quyền “%(action)s” báo cáo này.")
            % {"action": ACTION_LABELS[action]}
        )
    if expected_status is not None and locked.status != expected_status:
        last = locked.events.select_related("actor").order_by("-created_at", "-pk")
        last = last.first()
        if (
            last is not None
            and last.action == action
            and last.from_status == expected_status
            and last.to_status == locked.status
        ):
            raise AlreadyDone(last)
        raise TransitionNotAllowed(
            _(
                "Báo cáo đã chuyển sang trạng thái “%(status)s” từ khi anh/chị mở "
                "trang; không thực hiện lại thao tác."
            )
            % {"status": locked.get_status_display()}
        )
    target = TRANSITIONS.get((action, locked.status))
    if target is None or not _may(action, locked, actor):
        raise TransitionNotAllowed(
            _("Không thể “%(action)s” khi báo cáo đang ở trạng thái “%(status)s”.")
            % {"action": ACTION_LABELS[action], "status": locked.get_status_display()}
        )
    if expected_version is not None:
        latest = _latest_number(locked)
        if str(latest) != str(expected_version):
            raise TransitionNotAllowed(
                _(
                    "Đơn vị đã nộp lại (lần nộp %(n)s) từ khi anh/chị mở trang; "
                    "hãy xem lại bản mới trước khi thực hiện."
                )
                % {"n": latest}
            )
    return target


def _latest_number(report):
    return (
        report.versions.order_by("-number").values_list("number", flat=True).first()
        or 0
    )


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
    number = _latest_number(report) + 1
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
    quality.freeze_flags(report, version)
    return version


def submit_report(report, *, actor, expected_status=None):
    """Submit a draft (or returned / reopened) report and freeze its version.

    Raises ``SubmitBlocked`` with the missing items when it is incomplete.
    """
    with transaction.atomic():
        locked = _lock(report)
        target = _check(A.SUBMIT, locked, actor, expected_status)
        items = missing_items(locked) + quality.blocking_items(locked)
        if items:
            raise SubmitBlocked(items)
        now = timezone.now()
        version = freeze_version(locked, actor=actor, now=now)
        freeze_template(locked.template)
        _record(locked, A.SUBMIT, target, actor, version=version, now=now)
        locked.submitted_at = now
        if locked.first_submitted_at is None:
            locked.first_submitted_at = now
        locked.save()
        # The answered checklist of the last return is closed by resubmitting.
        ReviewComment.objects.filter(
            report=locked, event__isnull=False, resolved=False
        ).update(resolved=True)
        _mail_reviewers(
            locked,
            _("[Sokket] %(unit)s đã nộp báo cáo (lần %(n)s)")
            % {"unit": locked.unit.name, "n": version.number},
            _("%(unit)s đã nộp báo cáo sơ kết lần %(n)s lúc %(at)s.")
            % {
                "unit": locked.unit.name,
                "n": version.number,
                "at": format_time(now),
            },
        )
    _refresh(report, locked)
    return version


def return_report(
    report,
    *,
    actor,
    reason,
    comments=(),
    expected_status=None,
    expected_version=None,
):
    """Return a submitted report to its unit for revision; a reason is required.

    The reviewer's draft comments on the returned version, plus ``comments``
    (dicts with ``text`` and optionally ``section_code`` or ``column``), are sent
    with it: each becomes a checklist item the unit answers before resubmitting.
    """
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed(_("Cần ghi lý do trả lại báo cáo."))
    with transaction.atomic():
        locked = _lock(report)
        target = _check(A.RETURN, locked, actor, expected_status, expected_version)
        now = timezone.now()
        version = locked.versions.newest()
        event = _record(
            locked, A.RETURN, target, actor, comment=reason, version=version, now=now
        )
        locked.save()
        for item in comments:
            add_comment(
                locked,
                actor=actor,
                text=item["text"],
                section_code=item.get("section_code", ""),
                column=item.get("column"),
                version=version,
                now=now,
            )
        sent = ReviewComment.objects.filter(
            report=locked, version=version, event__isnull=True
        ).update(event=event)
        _mail_staff(
            locked,
            _("[Sokket] Báo cáo của %(unit)s bị trả lại để sửa")
            % {"unit": locked.unit.name},
            _(
                "Báo cáo sơ kết của %(unit)s đã bị trả lại lúc %(at)s.\n"
                "Lý do: %(reason)s\nSố góp ý cần trả lời: %(n)s."
            )
            % {
                "unit": locked.unit.name,
                "at": format_time(now),
                "reason": reason,
                "n": sent,
            },
            link=reverse("report_comments", args=[locked.pk]),
        )
    _refresh(report, locked)
    return locked


def approve_report(
    report, *, actor, comment="", expected_status=None, expected_version=None
):
    """Approve the latest submitted version of a report."""
    with transaction.atomic():
        locked = _lock(report)
        target = _check(A.APPROVE, locked, actor, expected_status, expected_version)
        now = timezone.now()
        version = locked.versions.newest()
        event = _record(
            locked, A.APPROVE, target, actor, comment=comment, version=version, now=now
        )
        locked.approved_at = now
        locked.approved_version = version
        locked.save()
        # Draft comments left on an approved version are notes, nothing to answer.
        ReviewComment.objects.filter(report=locked, event__isnull=True).update(
            event=event, resolved=True
        )
        _mail_staff(
            locked,
            _("[Sokket] Báo cáo của %(unit)s đã được duyệt")
            % {"unit": locked.unit.name},
            _("Báo cáo sơ kết của %(unit)s (lần nộp %(n)s) đã được duyệt lúc %(at)s.")
            % {
                "unit": locked.unit.name,
                "n": version.number if version else "-",
                "at": format_time(now),
            },
            link=reverse("report_comments", args=[locked.pk]),
        )
        if version is not None:
            # The approved version's PDF is sealed once the approval is durable.
            transaction.on_commit(lambda: export_files.seal_after_approval(version.pk))
    _refresh(report, locked)
    return locked


def reopen_report(report, *, actor, reason, expected_status=None):
    """Reopen an approved report for editing; the approved version stays on record.

    A pending request of the unit to reopen is accepted by it.
    """
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed(_("Cần ghi lý do mở lại báo cáo."))
    with transaction.atomic():
        locked = _lock(report)
        target = _check(A.REOPEN, locked, actor, expected_status)
        now = timezone.now()
        _record(locked, A.REOPEN, target, actor, comment=reason, now=now)
        locked.save()
        ReopenRequest.objects.filter(report=locked, status=ReopenStatus.PENDING).update(
            status=ReopenStatus.ACCEPTED,
            decided_by=actor,
            decided_at=now,
            decision_note=reason,
        )
        _mail_staff(
            locked,
            _("[Sokket] Báo cáo của %(unit)s được mở lại để sửa")
            % {"unit": locked.unit.name},
            _(
                "Báo cáo sơ kết của %(unit)s đã được mở lại lúc %(at)s. "
                "Ý kiến: %(reason)s\nBản đã duyệt trước đó vẫn được lưu."
            )
            % {"unit": locked.unit.name, "at": format_time(now), "reason": reason},
            link=reverse("report_comments", args=[locked.pk]),
        )
    _refresh(report, locked)
    return locked


def request_reopen(report, *, actor, reason, expected_status=None):
    """The unit's staff ask to reopen their approved report; a reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed(_("Cần ghi lý do đề nghị mở lại."))
    with transaction.atomic():
        locked = _lock(report)
        pending = pending_reopen_request(locked)
        if pending is not None and permissions.is_staff_of(actor, locked.unit):
            raise TransitionNotAllowed(
                _(
                    "Đề nghị mở lại đã được gửi lúc %(at)s (%(actor)s), "
                    "đang chờ cấp trên quyết định."
                )
                % {
                    "at": format_time(pending.requested_at),
                    "actor": display_name(pending.requested_by),
                }
            )
        target = _check(A.REQUEST_REOPEN, locked, actor, expected_status)
        now = timezone.now()
        request = ReopenRequest.objects.create(
            report=locked, requested_by=actor, requested_at=now, reason=reason
        )
        _record(locked, A.REQUEST_REOPEN, target, actor, comment=reason, now=now)
        locked.save()
        _mail_reviewers(
            locked,
            _("[Sokket] %(unit)s đề nghị mở lại báo cáo đã duyệt")
            % {"unit": locked.unit.name},
            _("%(unit)s đề nghị mở lại báo cáo sơ kết đã duyệt. Lý do: %(reason)s")
            % {"unit": locked.unit.name, "reason": reason},
        )
    _refresh(report, locked)
    return request


def decide_reopen(report, *, actor, accept, note="", expected_status=None):
    """A reviewer accepts (the report is reopened) or refuses the pending request.

    Refusing needs a reason; accepting may give one (the unit's reason is kept).
    """
    note = (note or "").strip()
    if not permissions.can_review(actor, report):
        raise TransitionNotAllowed(
            _("Anh/chị không có quyền quyết định mở lại báo cáo này.")
        )
    request = pending_reopen_request(report)
    if request is None:
        last = (
            report.reopen_requests.select_related("decided_by")
            .order_by("-decided_at", "-pk")
            .first()
        )
        if last is not None and last.decided_at is not None:
            raise TransitionNotAllowed(
                _("Đề nghị mở lại đã được quyết định lúc %(at)s (%(actor)s): %(d)s.")
                % {
                    "at": format_time(last.decided_at),
                    "actor": display_name(last.decided_by),
                    "d": last.get_status_display(),
                }
            )
        raise TransitionNotAllowed(_("Không có đề nghị mở lại nào đang chờ."))
    if accept:
        return reopen_report(
            report,
            actor=actor,
            reason=note or request.reason,
            expected_status=expected_status,
        )
    if not note:
        raise TransitionNotAllowed(_("Cần ghi lý do không đồng ý mở lại."))
    with transaction.atomic():
        locked = _lock(report)
        target = _check(A.REFUSE_REOPEN, locked, actor, expected_status)
        now = timezone.now()
        updated = ReopenRequest.objects.filter(
            pk=request.pk, status=ReopenStatus.PENDING
        ).update(
            status=ReopenStatus.REFUSED,
            decided_by=actor,
            decided_at=now,
            decision_note=note,
        )
        if not updated:
            raise TransitionNotAllowed(_("Đề nghị mở lại vừa được quyết định."))
        _record(locked, A.REFUSE_REOPEN, target, actor, comment=note, now=now)
        locked.save()
        _mail_staff(
            locked,
            _("[Sokket] Đề nghị mở lại báo cáo của %(unit)s không được đồng ý")
            % {"unit": locked.unit.name},
            _("Cấp trên không đồng ý mở lại báo cáo đã duyệt. Lý do: %(note)s")
            % {"note": note},
            link=reverse("report_comments", args=[locked.pk]),
        )
    _refresh(report, locked)
    return locked


def add_comment(
    report, *, actor, text, section_code="", column=None, version=None, now=None
):
    """A reviewer's draft comment on the latest submitted version.

    It is sent to the unit with the next return. The same comment posted twice
    (a double click) is kept once.
    """
    text = (text or "").strip()
    if not text:
        raise TransitionNotAllowed(_("Góp ý không được để trống."))
    if section_code and column is not None:
        raise TransitionNotAllowed(_("Góp ý gắn vào một mục hoặc một ô, không cả hai."))
    if not permissions.can_review(actor, report):
        raise TransitionNotAllowed(_("Anh/chị không có quyền góp ý báo cáo này."))
    if report.status != S.SUBMITTED and version is None:
        raise TransitionNotAllowed(_("Chỉ góp ý khi báo cáo đang chờ thẩm định."))
    version = version or report.versions.newest()
    if (
        section_code
        and not version.template.sections.filter(code=section_code).exists()
    ):
        raise TransitionNotAllowed(_("Mục không có trong đề cương."))
    if column is not None and column.table.template_id != version.template_id:
        raise TransitionNotAllowed(_("Ô không có trong biểu của báo cáo."))
    comment, _created = ReviewComment.objects.get_or_create(
        report=report,
        version=version,
        event=None,
        author=actor,
        section_code=section_code,
        column=column,
        text=text,
        defaults={"created_at": now or timezone.now()},
    )
    return comment


def answer_comment(comment, *, actor, response="", fixed=False):
    """The unit answers a comment of the last return: a short text or "đã sửa"."""
    response = (response or "").strip()
    report = comment.report
    if not permissions.is_staff_of(actor, report.unit):
        raise TransitionNotAllowed(_("Anh/chị không có quyền trả lời góp ý này."))
    if not comment.is_sent or comment.resolved:
        raise TransitionNotAllowed(_("Góp ý này đã khép lại, không cần trả lời."))
    if report.status != S.RETURNED:
        raise TransitionNotAllowed(_("Chỉ trả lời góp ý khi báo cáo đang bị trả lại."))
    if not response and not fixed:
        raise TransitionNotAllowed(_("Ghi câu trả lời ngắn hoặc đánh dấu “Đã sửa”."))
    comment.response = response
    comment.fixed = bool(fixed)
    comment.responded_by = actor
    comment.responded_at = timezone.now()
    comment.save(update_fields=["response", "fixed", "responded_by", "responded_at"])
    return comment


# --- Mail, after the transaction commits -------------------------------------------


def _mail_staff(report, subject, body, link):
    recipients = _emails(report.unit, Role.STAFF)
    _mail_on_commit(subject, body, link, recipients)


def _mail_reviewers(report, subject, body):
    if report.unit.parent_id is None:
        return
    recipients = _emails(report.unit.parent, Role.REVIEWER)
    link = reverse("review_report", args=[report.pk])
    _mail_on_commit(subject, body, link, recipients)


def _emails(unit, role):
    return sorted(
        set(
            Membership.objects.filter(unit=unit, role=role, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _mail_on_commit(subject, body, link, recipients):
    if not recipients:
        return
    url = settings.SITE_URL.rstrip("/") + link
    message = f"{body}\n\n{_('Xem tại:')} {url}\n"

    def send():
        try:
            send_mail(subject, message, None, recipients)
        except Exception:
            # The transition has happened; a mail server hiccup must not undo it.
            logger.exception("Gửi thư thông báo thất bại: %s", subject)

    transaction.on_commit(send)


def _refresh(report, locked):
    approved_version = report._meta.get_field("approved_version")
    if approved_version.is_cached(report):
        approved_version.delete_cached_value(report)
    for name in (
        "status",
        "submitted_at",
        "first_submitted_at",
        "approved_at",
        "approved_version_id",
        "revision",
    ):
        setattr(report, name, getattr(locked, name))
