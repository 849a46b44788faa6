"""Sealed copies: the PDF of an approved version, kept unchanged with its hash."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .reports import ReportVersion


def sealed_path(instance, filename):
    return f"sealed/{instance.version.report_id}/{filename}"


class SealedCopy(models.Model):
    """The PDF of an approved version, generated once and never rewritten.

    A printed or signed copy is matched to what was approved by its SHA-256.
    """

    version = models.OneToOneField(
        ReportVersion,
        on_delete=models.PROTECT,
        related_name="sealed_copy",
        verbose_name=_("phiên bản"),
    )
    file = models.FileField(_("tệp PDF"), upload_to=sealed_path, max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("bản lưu đã duyệt")
        verbose_name_plural = _("bản lưu đã duyệt")

    def __str__(self):
        return f"{self.version} – {self.sha256[:12]}"
