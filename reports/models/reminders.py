"""Deadline reminders sent to units, one row per message (never a step twice)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .rounds import Round
from .units import Unit


class ReminderLog(models.Model):
    """A reminder mailed to a unit's staff at a step ("before-5", "manual-…")."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("đợt")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("đơn vị"),
    )
    step = models.CharField(
        _("bước nhắc"),
        max_length=40,
        help_text=_("Ví dụ: before-5 (trước hạn 5 ngày), after-1, manual-2020-12-16"),
    )
    due_date = models.DateField(_("hạn nộp lúc nhắc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người gửi (nhắc thủ công)"),
    )
    recipients = models.TextField(_("người nhận"))
    subject = models.CharField(_("tiêu đề"), max_length=300)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("thư nhắc hạn")
        verbose_name_plural = _("thư nhắc hạn")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit", "step"], name="reminder_step_once"
            ),
        ]

    def __str__(self):
        return f"{self.unit.name}: {self.step}"
