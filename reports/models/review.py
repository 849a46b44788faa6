"""Review of a submitted report: pinned comments and requests to reopen."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .outline import TableColumn
from .reports import Report, ReportEvent, ReportVersion


class ReviewComment(models.Model):
    """A reviewer's comment pinned to a section or a table cell of a version.

    It is a draft while ``event`` is empty; the return (or approval) that sends
    it fills ``event``. A sent comment is a checklist item the unit answers (a
    response, or "đã sửa") before it may resubmit; the resubmission resolves it.
    """

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="review_comments",
        verbose_name=_("báo cáo"),
    )
    version = models.ForeignKey(
        ReportVersion,
        on_delete=models.CASCADE,
        related_name="review_comments",
        verbose_name=_("lần nộp"),
    )
    event = models.ForeignKey(
        ReportEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_comments",
        verbose_name=_("gửi kèm thao tác"),
    )
    section_code = models.CharField(_("mục"), max_length=20, blank=True)
    column = models.ForeignKey(
        TableColumn,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ô (cột biểu)"),
    )
    text = models.TextField(_("góp ý"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người góp ý"),
    )
    created_at = models.DateTimeField(_("lúc"), editable=False)
    response = models.TextField(_("trả lời của đơn vị"), blank=True)
    fixed = models.BooleanField(_("đã sửa"), default=False)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người trả lời"),
    )
    responded_at = models.DateTimeField(
        _("trả lời lúc"), null=True, blank=True, editable=False
    )
    resolved = models.BooleanField(_("đã khép lại"), default=False)

    class Meta:
        ordering = ["report", "created_at", "pk"]
        verbose_name = _("góp ý thẩm định")
        verbose_name_plural = _("góp ý thẩm định")
        constraints = [
            models.CheckConstraint(
                condition=~(Q(section_code__gt="") & Q(column__isnull=False)),
                name="comment_one_pin",
            ),
        ]

    def __str__(self):
        return f"{self.report}: {self.text[:40]}"

    @property
    def is_sent(self):
        return self.event_id is not None

    @property
    def is_answered(self):
        return self.fixed or bool(self.response.strip())


class ReopenStatus(models.TextChoices):
    PENDING = "pending", _("Chờ quyết định")
    ACCEPTED = "accepted", _("Đồng ý mở lại")
    REFUSED = "refused", _("Không đồng ý")


class ReopenRequest(models.Model):
    """A unit's request to reopen its approved report, and the reviewer's answer."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="reopen_requests",
        verbose_name=_("báo cáo"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người đề nghị"),
    )
    requested_at = models.DateTimeField(_("đề nghị lúc"), editable=False)
    reason = models.TextField(_("lý do"))
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=ReopenStatus.choices,
        default=ReopenStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người quyết định"),
    )
    decided_at = models.DateTimeField(
        _("quyết định lúc"), null=True, blank=True, editable=False
    )
    decision_note = models.TextField(_("ý kiến"), blank=True)

    class Meta:
        ordering = ["report", "requested_at", "pk"]
        verbose_name = _("đề nghị mở lại")
        verbose_name_plural = _("đề nghị mở lại")
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(status="pending"),
                name="reopen_one_pending",
            ),
        ]

    def __str__(self):
        return f"{self.report}: {self.get_status_display()}"
