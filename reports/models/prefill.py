"""What a pre-filled report was built from, to tell stale sources and own edits."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .reports import Report, ReportVersion
from .units import Unit


class PrefillSource(models.Model):
    """A child unit's approved version that a pre-filled report used."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="prefill_sources",
        verbose_name=_("báo cáo"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    version = models.ForeignKey(
        ReportVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("phiên bản đã dùng"),
    )
    used_at = models.DateTimeField(_("lấy lúc"))
    # The child's report status when used: a reopen is news only if it happened
    # after the fill.
    status = models.CharField(_("trạng thái lúc lấy"), max_length=20)

    class Meta:
        ordering = ["report", "unit__path"]
        verbose_name = _("nguồn điền sẵn")
        verbose_name_plural = _("nguồn điền sẵn")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "unit"], name="prefill_source_unique"
            ),
        ]

    def __str__(self):
        return f"{self.report_id}: {self.unit_id} v{self.version_id}"


class PrefillField(models.Model):
    """One answer part or cell the pre-fill manages.

    ``inserted_hash`` is the hash of what the pre-fill wrote into the draft: while
    the draft still hashes the same, the unit has not edited it and a refresh may
    replace it. ``source_hash`` is the hash of the children's content the field
    is based on; newer children's content that could not be written (the unit
    edited the field) waits in ``pending`` to be merged by hand.
    """

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="prefill_fields",
        verbose_name=_("báo cáo"),
    )
    # "section:<code>:text", "section:<code>:shortcomings" or "cell:<column id>"
    key = models.CharField(_("khóa"), max_length=100)
    inserted_hash = models.CharField(max_length=64, blank=True)
    source_hash = models.CharField(max_length=64, blank=True)
    pending = models.JSONField(_("nội dung mới chờ gộp"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("ô điền sẵn")
        verbose_name_plural = _("ô điền sẵn")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "key"], name="prefill_field_unique"
            ),
        ]

    def __str__(self):
        return f"{self.report_id}: {self.key}"
