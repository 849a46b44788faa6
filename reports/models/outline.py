"""What a report asks: templates, outline sections, appendix tables and columns.

All of it is data an administrator edits; a template that a submitted report used
is frozen, and changing it makes a new version (see ``reports.outline``).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .rounds import Round


class ReportTemplate(models.Model):
    """One version of the outline and appendix that some kinds of unit answer."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="templates", verbose_name=_("đợt")
    )
    code = models.SlugField(
        _("mã mẫu"), max_length=50, help_text=_("Ví dụ: huyen, to-chuc, xa, tinh")
    )
    name = models.CharField(_("tên mẫu báo cáo"), max_length=300)
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    is_current = models.BooleanField(_("phiên bản đang dùng"), default=True)
    unit_types = models.JSONField(
        _("loại đơn vị áp dụng"),
        default=list,
        help_text=_('Danh sách mã loại đơn vị, ví dụ ["huyen", "thi_xa", "thanh_pho"]'),
    )
    subject = models.CharField(
        _("trích yếu báo cáo"),
        max_length=500,
        blank=True,
        help_text=_("In dưới chữ BÁO CÁO"),
    )
    min_models = models.PositiveSmallIntegerField(
        _("số mô hình điển hình tối thiểu"), default=0
    )
    tables_required = models.BooleanField(_("bắt buộc nhập biểu số liệu"), default=True)
    requires_signed_scan = models.BooleanField(
        _("bắt buộc tải bản ký, đóng dấu"), default=False
    )
    requires_written_report = models.BooleanField(
        _("chỉ cần tải báo cáo bằng văn bản"),
        default=False,
        help_text=_("Cấp xã: nộp bản báo cáo viết; các mục đề cương không bắt buộc"),
    )
    frozen_at = models.DateTimeField(_("khóa lúc"), null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phiên bản trước"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "code", "-version"]
        verbose_name = _("mẫu báo cáo")
        verbose_name_plural = _("mẫu báo cáo")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "code", "version"], name="template_version_unique"
            ),
            models.UniqueConstraint(
                fields=["round", "code"],
                condition=Q(is_current=True),
                name="template_one_current",
            ),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"

    @property
    def is_frozen(self):
        return self.frozen_at is not None


class AnswerShape(models.TextChoices):
    HEADING = "heading", _("Tiêu đề nhóm (không nhập)")
    NARRATIVE = "narrative", _("Văn bản")
    ACHIEVED_LIMITS = "achieved_limits", _("Kết quả đạt được / Hạn chế, chưa được")


class Section(models.Model):
    """One item of the outline (I.1 … II.5), with its guidance and answer shape."""

    template = models.ForeignKey(
        ReportTemplate,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("mẫu"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("mục cha"),
    )
    code = models.CharField(_("mã mục"), max_length=20)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    title = models.CharField(_("tiêu đề"), max_length=500)
    guidance = models.TextField(_("hướng dẫn"), blank=True)
    shape = models.CharField(
        _("dạng trả lời"),
        max_length=20,
        choices=AnswerShape.choices,
        default=AnswerShape.NARRATIVE,
    )
    required = models.BooleanField(_("bắt buộc"), default=True)
    max_length = models.PositiveIntegerField(
        _("độ dài tối đa (ký tự)"), default=100_000
    )

    class Meta:
        ordering = ["template", "order"]
        verbose_name = _("mục đề cương")
        verbose_name_plural = _("mục đề cương")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "code"], name="section_code_unique"
            ),
        ]

    def __str__(self):
        return f"{self.code}. {self.title}"

    def save(self, *args, **kwargs):
        # Every path (admin, shell, import) is refused, not only the forms.
        self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if (
            self.parent_id
            and self.template_id
            and self.parent.template_id != self.template_id
        ):
            raise ValidationError(
                {"parent": _("Mục cha phải thuộc cùng mẫu báo cáo với mục này.")}
            )

    @property
    def takes_answer(self):
        return self.shape != AnswerShape.HEADING


class TableSource(models.TextChoices):
    ENTERED = "entered", _("Đơn vị nhập")
    MODELS = "models", _("Tự tổng hợp từ mô hình điển hình")


class AppendixTable(models.Model):
    """An appendix table (Biểu): one row per reporting unit, a header tree."""

    template = models.ForeignKey(
        ReportTemplate,
        on_delete=models.CASCADE,
        related_name="tables",
        verbose_name=_("mẫu"),
    )
    code = models.CharField(_("số biểu"), max_length=20, help_text=_("Ví dụ: 1.1"))
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    title = models.CharField(_("tên biểu"), max_length=500)
    note = models.TextField(_("ghi chú"), blank=True)
    source = models.CharField(
        _("nguồn số liệu"),
        max_length=20,
        choices=TableSource.choices,
        default=TableSource.ENTERED,
    )

    class Meta:
        ordering = ["template", "order"]
        verbose_name = _("biểu phụ lục")
        verbose_name_plural = _("biểu phụ lục")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "code"], name="table_code_unique"
            ),
        ]

    def __str__(self):
        return f"Biểu {self.code}: {self.title}"


class ColumnType(models.TextChoices):
    TEXT = "text", _("Văn bản")
    DOCUMENTS = "documents", _("Danh sách văn bản")
    YES_NO = "yes_no", _("Có/không")
    INTEGER = "integer", _("Số nguyên")
    MONEY = "money", _("Tiền (triệu đồng)")
    AREA = "area", _("Diện tích (m²)")
    PERCENT = "percent", _("Tỷ lệ % (tự tính)")


NUMERIC_TYPES = (ColumnType.INTEGER, ColumnType.MONEY, ColumnType.AREA)


class TableColumn(models.Model):
    """A node of a table's header tree; leaves (with a type) hold values.

    Group nodes have no ``col_type``; their spans follow from the tree. A label may
    hold ``{level}``, replaced by the reporting unit's level ("Cấp {level}
    (có/không)" prints "Cấp huyện (có/không)" for a district).
    """

    table = models.ForeignKey(
        AppendixTable,
        on_delete=models.CASCADE,
        related_name="columns",
        verbose_name=_("biểu"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("cột cha"),
    )
    code = models.SlugField(_("mã cột"), max_length=50)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    label = models.CharField(_("tiêu đề cột"), max_length=500)
    note = models.CharField(_("chú thích (in nghiêng)"), max_length=300, blank=True)
    col_type = models.CharField(
        _("kiểu dữ liệu"),
        max_length=20,
        choices=ColumnType.choices,
        blank=True,
        help_text=_("Để trống cho cột nhóm"),
    )
    unit_label = models.CharField(
        _("đơn vị tính"), max_length=50, blank=True, help_text=_("Ví dụ: xã, căn, lượt")
    )
    numerator = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tử số (cột tỷ lệ)"),
    )
    denominator = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mẫu số (cột tỷ lệ)"),
    )
    source_key = models.CharField(
        _("khóa nguồn"),
        max_length=50,
        blank=True,
        help_text=_("Biểu tự tổng hợp: mã lĩnh vực mô hình đếm ở cột này (II.1.1 …)"),
    )
    required = models.BooleanField(_("bắt buộc"), default=True)

    class Meta:
        ordering = ["table", "order"]
        verbose_name = _("cột biểu")
        verbose_name_plural = _("cột biểu")
        constraints = [
            models.UniqueConstraint(
                fields=["table", "code"], name="column_code_unique"
            ),
            models.CheckConstraint(
                condition=~Q(col_type="percent")
                | (Q(numerator__isnull=False) & Q(denominator__isnull=False)),
                name="percent_has_parts",
            ),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        # Every path (admin, shell, import, copy) is refused, not only the forms.
        self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        for name in ("parent", "numerator", "denominator"):
            other = getattr(self, name) if getattr(self, f"{name}_id") else None
            if other is not None and self.table_id and other.table_id != self.table_id:
                errors[name] = _("Cột này phải thuộc cùng biểu với cột đang sửa.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_leaf(self):
        return bool(self.col_type)

    @property
    def is_numeric(self):
        return self.col_type in NUMERIC_TYPES

    def label_for(self, level_name):
        return self.label.replace("{level}", level_name)
