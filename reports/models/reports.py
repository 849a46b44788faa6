"""What a unit answered: reports, their drafts and their frozen versions."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .outline import ReportTemplate, Section, TableColumn
from .rounds import Round
from .units import Unit


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã nộp")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã duyệt")
    REOPENED = "reopened", _("Mở lại để sửa")


class EventAction(models.TextChoices):
    """What a ``ReportEvent`` records having been done (its ``action``)."""

    SUBMIT = "submit", _("Nộp báo cáo")
    RETURN = "return", _("Trả lại để sửa")
    APPROVE = "approve", _("Duyệt")
    REOPEN = "reopen", _("Mở lại để sửa")
    REQUEST_REOPEN = "request_reopen", _("Đề nghị mở lại")
    REFUSE_REOPEN = "refuse_reopen", _("Không đồng ý mở lại")


EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED, ReportStatus.REOPENED)


class Report(models.Model):
    """A unit's report for a round. Its status changes only in ``workflow``."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="reports", verbose_name=_("đơn vị")
    )
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="reports", verbose_name=_("đợt")
    )
    template = models.ForeignKey(
        ReportTemplate,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("mẫu"),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=ReportStatus.choices,
        default=ReportStatus.DRAFT,
        db_index=True,
    )
    # Bumped by every saved edit. Conflicts are checked per part (section,
    # table, header) on ``DraftPart.revision``, so two tabs editing different
    # parts never collide and two editing the same part never overwrite.
    revision = models.PositiveIntegerField(_("số lần lưu"), default=0)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_activity_at = models.DateTimeField(_("hoạt động gần nhất"), auto_now=True)
    first_submitted_at = models.DateTimeField(
        _("nộp lần đầu lúc"), null=True, blank=True, editable=False
    )
    submitted_at = models.DateTimeField(
        _("nộp lúc"), null=True, blank=True, editable=False
    )
    approved_at = models.DateTimeField(
        _("duyệt lúc"), null=True, blank=True, editable=False
    )
    approved_version = models.ForeignKey(
        "ReportVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("phiên bản đã duyệt"),
    )
    # Printed header fields.
    document_number = models.CharField(_("số báo cáo"), max_length=50, blank=True)
    document_date = models.DateField(_("ngày báo cáo"), null=True, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=200, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=200, blank=True)
    recipients = models.TextField(_("nơi nhận"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "unit__path"]
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "round"], name="report_one_per_round"
            ),
        ]

    def __str__(self):
        return f"{self.unit.name} – {self.round}"

    def get_absolute_url(self):
        return reverse("report_detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in EDITABLE_STATUSES


class Answer(models.Model):
    """The draft answer to one outline section."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("báo cáo"),
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="+", verbose_name=_("mục")
    )
    text = models.TextField(_("nội dung / kết quả đạt được"), blank=True)
    shortcomings = models.TextField(_("hạn chế, chưa được"), blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("trả lời")
        verbose_name_plural = _("trả lời")
        constraints = [
            models.UniqueConstraint(fields=["report", "section"], name="answer_unique"),
        ]

    def __str__(self):
        return f"{self.report} – {self.section.code}"


class CellValue(models.Model):
    """The typed value slots a table cell can hold (one is used per type)."""

    num = models.DecimalField(
        _("số"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    text = models.TextField(_("chữ"), blank=True)
    flag = models.BooleanField(_("có/không"), null=True, blank=True)
    docs = models.JSONField(_("văn bản"), default=list, blank=True)
    no_data = models.BooleanField(_("không có số liệu"), default=False)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        abstract = True


class Cell(CellValue):
    """A draft cell of an appendix table (one row per report)."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="cells",
        verbose_name=_("báo cáo"),
    )
    column = models.ForeignKey(
        TableColumn, on_delete=models.PROTECT, related_name="+", verbose_name=_("cột")
    )

    class Meta:
        verbose_name = _("ô số liệu")
        verbose_name_plural = _("ô số liệu")
        constraints = [
            models.UniqueConstraint(fields=["report", "column"], name="cell_unique"),
        ]

    def __str__(self):
        return f"{self.report_id}:{self.column_id}"


class ExemplaryModel(models.Model):
    """An exemplary model (mô hình điển hình tiên tiến) reported by a unit."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="models",
        verbose_name=_("báo cáo"),
    )
    name = models.CharField(_("tên mô hình"), max_length=300)
    content_area = models.CharField(
        _("nội dung Cuộc vận động"),
        max_length=20,
        help_text=_("Mã mục II.1.1 … II.1.5"),
    )
    unit_in_charge = models.CharField(_("đơn vị chủ trì"), max_length=300)
    year_started = models.PositiveSmallIntegerField(_("năm bắt đầu"))
    description = models.TextField(_("mô tả"), blank=True)
    results = models.TextField(_("kết quả (có số liệu)"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["content_area", "created_at"]
        verbose_name = _("mô hình điển hình")
        verbose_name_plural = _("mô hình điển hình")

    def __str__(self):
        return self.name


class AttachmentKind(models.TextChoices):
    SIGNED_SCAN = "signed_scan", _("Bản ký, đóng dấu (PDF)")
    WRITTEN_REPORT = "written_report", _("Báo cáo bằng văn bản")
    SUPPORTING = "supporting", _("Tài liệu kèm theo")
    MODEL = "model", _("Tài liệu mô hình điển hình")


def attachment_path(instance, filename):
    # Unguessable, and never the name the person gave.
    return f"attachments/{instance.report_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """An uploaded file; served only through a view that checks permission."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("báo cáo"),
    )
    exemplary_model = models.ForeignKey(
        ExemplaryModel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("mô hình"),
    )
    kind = models.CharField(_("loại"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("tệp"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(_("kiểu nội dung"), max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self):
        return self.original_name


class CommendationKind(models.TextChoices):
    COLLECTIVE = "collective", _("Tập thể")
    INDIVIDUAL = "individual", _("Cá nhân")


class Commendation(models.Model):
    """A proposal for a commendation (đề xuất khen thưởng) attached to a report."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="commendations",
        verbose_name=_("báo cáo"),
    )
    kind = models.CharField(
        _("đối tượng"), max_length=20, choices=CommendationKind.choices
    )
    name = models.CharField(_("tên tập thể / cá nhân"), max_length=300)
    position = models.CharField(_("chức vụ"), max_length=300, blank=True)
    unit_name = models.CharField(_("đơn vị công tác"), max_length=300, blank=True)
    achievements = models.TextField(_("thành tích"))
    award = models.CharField(
        _("hình thức đề nghị"),
        max_length=300,
        default="Bằng khen của Ủy ban MTTQ Việt Nam tỉnh",
    )

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("đề xuất khen thưởng")
        verbose_name_plural = _("đề xuất khen thưởng")

    def __str__(self):
        return self.name


class ReportVersionQuerySet(models.QuerySet):
    def newest(self):
        """The latest submitted version (the one an approval approves and an
        official export prints), or None: ``report.versions.newest()``."""
        return self.order_by("-number").first()


class ReportVersion(models.Model):
    """An immutable copy of a report taken at submit.

    Narrative answers, models, commendations and attachment metadata are kept as
    JSON; table cells as ``VersionCell`` rows so consolidation can aggregate them
    in SQL. Diffs, consolidation and exports read versions, never drafts.
    """

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("báo cáo"),
    )
    number = models.PositiveIntegerField(_("lần nộp"))
    template = models.ForeignKey(
        ReportTemplate, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("nộp lúc"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(default=dict, editable=False)
    models_data = models.JSONField(default=list, editable=False)
    commendations = models.JSONField(default=list, editable=False)
    attachments = models.JSONField(default=list, editable=False)
    header = models.JSONField(default=dict, editable=False)

    objects = ReportVersionQuerySet.as_manager()

    class Meta:
        ordering = ["report", "number"]
        verbose_name = _("phiên bản đã nộp")
        verbose_name_plural = _("phiên bản đã nộp")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="version_unique"),
        ]

    def __str__(self):
        return f"{self.report} – lần nộp {self.number}"


class VersionCell(CellValue):
    """A frozen table cell of a submitted version."""

    version = models.ForeignKey(
        ReportVersion, on_delete=models.CASCADE, related_name="cells"
    )
    column = models.ForeignKey(TableColumn, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "column"], name="version_cell_unique"
            ),
        ]

    def __str__(self):
        return f"{self.version_id}:{self.column_id}"


class ReportEvent(models.Model):
    """One transition of a report: the audit trail of the workflow."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("báo cáo"),
    )
    version = models.ForeignKey(
        ReportVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("thao tác"), max_length=30)
    from_status = models.CharField(_("từ"), max_length=20, choices=ReportStatus.choices)
    to_status = models.CharField(_("sang"), max_length=20, choices=ReportStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    comment = models.TextField(_("lý do / ghi chú"), blank=True)
    created_at = models.DateTimeField(_("lúc"), db_index=True, editable=False)

    class Meta:
        ordering = ["report", "created_at", "pk"]
        verbose_name = _("lịch sử báo cáo")
        verbose_name_plural = _("lịch sử báo cáo")

    def __str__(self):
        return f"{self.report}: {self.from_status} → {self.to_status}"


class DraftPart(models.Model):
    """The revision of one separately saved part of a draft.

    A part is a section ("section:I.1"), a table ("table:1.1") or the printed
    header ("header"). Autosave names the revision it started from; a save from
    an older revision is refused, so two tabs editing different parts never
    conflict and two tabs editing the same part never overwrite each other.
    """

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="draft_parts",
        verbose_name=_("báo cáo"),
    )
    key = models.CharField(_("phần"), max_length=60)
    revision = models.PositiveIntegerField(_("số lần lưu"), default=0)
    saved_at = models.DateTimeField(_("lưu lúc"), null=True, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the person typed and the server refused, by input name, with the
    # message: {"c.x": {"value": "5.800", "message": "…"}}. Kept until a valid
    # value replaces it; a report holding any cannot be submitted.
    refused = models.JSONField(_("giá trị chưa hợp lệ"), default=dict, blank=True)

    class Meta:
        verbose_name = _("phần bản nháp")
        verbose_name_plural = _("phần bản nháp")
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="draft_part_unique"),
        ]

    def __str__(self):
        return f"{self.report_id}:{self.key}@{self.revision}"
