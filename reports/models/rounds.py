"""Campaigns, review rounds, deadlines and extensions."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .units import Level, Unit, UnitType


class Campaign(models.Model):
    """A campaign (Cuộc vận động) that rounds review."""

    code = models.SlugField(_("mã"), max_length=50, unique=True)
    name = models.CharField(_("tên Cuộc vận động"), max_length=300)

    class Meta:
        verbose_name = _("Cuộc vận động")
        verbose_name_plural = _("Cuộc vận động")

    def __str__(self):
        return self.name


class Round(models.Model):
    """One review season of a campaign (e.g. sơ kết 5 năm 2016–2020)."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=_("Cuộc vận động"),
    )
    code = models.SlugField(_("mã đợt"), max_length=50, unique=True)
    name = models.CharField(_("tên đợt báo cáo"), max_length=300)
    period_start = models.PositiveSmallIntegerField(_("từ năm"))
    period_end = models.PositiveSmallIntegerField(_("đến năm"))
    plan_number = models.CharField(_("số kế hoạch"), max_length=50, blank=True)
    plan_date = models.DateField(_("ngày kế hoạch"), null=True, blank=True)
    # The day the round reads the hierarchy on: who belongs, who is below whom
    # and which level names its labels use. Empty: 31/12 of ``period_end``.
    reference_date = models.DateField(
        _("ngày tham chiếu đơn vị"),
        null=True,
        blank=True,
        help_text=_(
            "Đợt đọc hệ thống đơn vị theo ngày này; để trống: 31/12 của năm cuối kỳ."
        ),
    )
    is_open = models.BooleanField(_("đang mở"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_end", "code"]
        verbose_name = _("đợt báo cáo")
        verbose_name_plural = _("đợt báo cáo")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="round_period_order",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def as_of(self):
        """The date the round reads the unit hierarchy on."""
        return self.reference_date or dt.date(self.period_end, 12, 31)

    def units(self):
        """The units that are part of this round (valid on its date)."""
        return Unit.objects.as_of(self.as_of)

    @property
    def period_label(self):
        return f"{self.period_start}–{self.period_end}"


class Deadline(models.Model):
    """The due date of a round for a level or a unit type.

    A rule applies to units of ``level`` (or of ``unit_type`` when that is set,
    which is more specific) inside the subtree of ``set_by`` (everywhere when
    empty): a district sets its communes' deadline with ``set_by`` = itself.
    """

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("đợt")
    )
    level = models.ForeignKey(
        Level,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("cấp"),
    )
    unit_type = models.CharField(
        _("loại đơn vị"), max_length=20, choices=UnitType.choices, blank=True
    )
    set_by = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deadlines_set",
        verbose_name=_("đơn vị đặt hạn (áp dụng cho cấp dưới)"),
    )
    due_date = models.DateField(_("hạn nộp"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "due_date"]
        verbose_name = _("hạn nộp")
        verbose_name_plural = _("hạn nộp")
        constraints = [
            models.CheckConstraint(
                condition=(Q(level__isnull=False) & Q(unit_type=""))
                | (Q(level__isnull=True) & ~Q(unit_type="")),
                name="deadline_targets_level_or_type",
                violation_error_message=_(
                    "Chọn đúng một trong hai: cấp hoặc loại đơn vị."
                ),
            ),
            models.UniqueConstraint(
                fields=["round", "level"],
                condition=Q(set_by__isnull=True, unit_type=""),
                name="deadline_unique_level",
            ),
            models.UniqueConstraint(
                fields=["round", "level", "set_by"],
                condition=Q(set_by__isnull=False, unit_type=""),
                name="deadline_unique_level_scoped",
            ),
            models.UniqueConstraint(
                fields=["round", "unit_type"],
                condition=Q(set_by__isnull=True, level__isnull=True),
                name="deadline_unique_type",
            ),
            models.UniqueConstraint(
                fields=["round", "unit_type", "set_by"],
                condition=Q(set_by__isnull=False, level__isnull=True),
                name="deadline_unique_type_scoped",
            ),
        ]

    def __str__(self):
        target = self.get_unit_type_display() if self.unit_type else self.level
        return f"{self.round}: {target} – {self.due_date:%d/%m/%Y}"


class Extension(models.Model):
    """A later due date granted to one unit for one round (gia hạn)."""

    round = models.ForeignKey(
        Round,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("đợt"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("đơn vị"),
    )
    new_date = models.DateField(_("hạn mới"))
    reason = models.TextField(_("lý do"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người gia hạn"),
    )
    granted_at = models.DateTimeField(_("thời điểm gia hạn"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("gia hạn")
        verbose_name_plural = _("gia hạn")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="extension_reason"),
        ]

    def __str__(self):
        return f"{self.unit.name}: {self.new_date:%d/%m/%Y}"
