"""Data-quality rules of an outline, and what a submitted version was flagged with."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .outline import AppendixTable, TableColumn
from .reports import Report, ReportVersion


class Severity(models.TextChoices):
    BLOCKING = "blocking", _("Chặn nộp")
    WARNING = "warning", _("Cảnh báo (cần giải thích)")


class QualityRule(models.Model):
    """A rule between figures of a report, part of a template (frozen with it).

    ``expression`` (and ``condition``, when it applies) are written in the rule
    language of ``reports.quality.grammar``; unqualified column codes are of
    ``table``, another Biểu's columns are written "1.5:giam-sat".
    """

    table = models.ForeignKey(
        AppendixTable,
        on_delete=models.CASCADE,
        related_name="quality_rules",
        verbose_name=_("biểu"),
    )
    code = models.SlugField(_("mã quy tắc"), max_length=50)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    condition = models.CharField(
        _("áp dụng khi"),
        max_length=500,
        blank=True,
        help_text=_("Để trống: luôn áp dụng. Ví dụ: phat-dong-cap = có"),
    )
    expression = models.CharField(
        _("biểu thức phải đúng"),
        max_length=500,
        help_text=_(
            "Ví dụ: xa-ntm-nc <= xa-ntm; đếm(vb-ct10) > 0; 1.5:giam-sat > 0. "
            "Phép trừ giữa hai cột cần dấu cách: a - b."
        ),
    )
    message = models.CharField(_("thông báo khi sai"), max_length=500)
    severity = models.CharField(
        _("mức độ"),
        max_length=20,
        choices=Severity.choices,
        default=Severity.WARNING,
    )

    class Meta:
        ordering = ["table", "order", "code"]
        verbose_name = _("quy tắc kiểm tra số liệu")
        verbose_name_plural = _("quy tắc kiểm tra số liệu")
        constraints = [
            models.UniqueConstraint(
                fields=["table", "code"], name="quality_rule_code_unique"
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.expression}"


class Explanation(models.Model):
    """A unit's one-line explanation of a warning or an outlier in its draft."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="quality_explanations",
        verbose_name=_("báo cáo"),
    )
    key = models.CharField(_("cảnh báo"), max_length=120)
    text = models.CharField(_("giải thích"), max_length=300)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("giải thích cảnh báo")
        verbose_name_plural = _("giải thích cảnh báo")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "key"], name="quality_explanation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.report_id}:{self.key}"


class FlagKind(models.TextChoices):
    RULE = "rule", _("Quy tắc")
    OUTLIER = "outlier", _("Khác thường so với đơn vị cùng cấp")


class VersionFlag(models.Model):
    """A flag raised on a submitted version, frozen with it with its explanation."""

    version = models.ForeignKey(
        ReportVersion,
        on_delete=models.CASCADE,
        related_name="quality_flags",
        verbose_name=_("phiên bản"),
    )
    key = models.CharField(_("cảnh báo"), max_length=120)
    kind = models.CharField(_("loại"), max_length=10, choices=FlagKind.choices)
    severity = models.CharField(_("mức độ"), max_length=20, choices=Severity.choices)
    column = models.ForeignKey(
        TableColumn, on_delete=models.PROTECT, related_name="+", null=True
    )
    cells = models.JSONField(_("ô liên quan"), default=list)
    message = models.CharField(_("thông báo"), max_length=500)
    peer_low = models.DecimalField(
        max_digits=24, decimal_places=4, null=True, blank=True
    )
    peer_high = models.DecimalField(
        max_digits=24, decimal_places=4, null=True, blank=True
    )
    peer_count = models.PositiveIntegerField(default=0)
    explanation = models.CharField(_("giải thích"), max_length=300, blank=True)

    class Meta:
        ordering = ["version", "pk"]
        verbose_name = _("cảnh báo của phiên bản")
        verbose_name_plural = _("cảnh báo của phiên bản")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"], name="version_flag_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="rule") | Q(peer_count__gt=0),
                name="outlier_has_peers",
            ),
        ]

    def __str__(self):
        return f"{self.version_id}:{self.key}"
