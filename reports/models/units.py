"""The unit hierarchy: levels as data, units with a stored tree path."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Level(models.Model):
    """One tier of the hierarchy (tỉnh, huyện, xã); its order is data."""

    code = models.SlugField(_("mã cấp"), max_length=20, unique=True)
    name = models.CharField(_("tên cấp"), max_length=50)
    order = models.PositiveSmallIntegerField(_("thứ tự"), unique=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("cấp hành chính")
        verbose_name_plural = _("cấp hành chính")

    def __str__(self):
        return self.name


class UnitType(models.TextChoices):
    TINH = "tinh", _("Tỉnh")
    THANH_PHO_TW = "thanh_pho_tw", _("Thành phố trực thuộc Trung ương")
    THANH_PHO = "thanh_pho", _("Thành phố")
    THI_XA = "thi_xa", _("Thị xã")
    HUYEN = "huyen", _("Huyện")
    QUAN = "quan", _("Quận")
    PHUONG = "phuong", _("Phường")
    THI_TRAN = "thi_tran", _("Thị trấn")
    XA = "xa", _("Xã")
    TO_CHUC = "to_chuc", _("Tổ chức thành viên")
    QUOC_GIA = "quoc_gia", _("Trung ương")


def valid_on(date, prefix=""):
    """The condition "valid on ``date``": from ``valid_from`` (inclusive, open
    when empty) until ``valid_to`` (exclusive: the day a unit is retired it no
    longer belongs, open when empty)."""
    return (
        Q(**{f"{prefix}valid_from__isnull": True})
        | Q(**{f"{prefix}valid_from__lte": date})
    ) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": date})
    )


class UnitQuerySet(models.QuerySet):
    def as_of(self, date):
        """The units that exist on ``date`` (a round asks with its own date)."""
        return self.filter(valid_on(date))

    def subtree_of(self, unit, *, include_self=True):
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def children_of(self, unit):
        return self.filter(parent=unit)


class Unit(models.Model):
    """An organisation that reports: province, district, commune or member org.

    ``path`` holds the chain of ancestor codes ("72/703/25456/") so that a subtree
    is one indexed prefix query. It is derived from the parent and kept in step by
    :func:`reports.units.set_parent`, never typed by hand.
    """

    code = models.CharField(_("mã đơn vị"), max_length=20, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=200)
    unit_type = models.CharField(
        _("loại đơn vị"), max_length=20, choices=UnitType.choices
    )
    level = models.ForeignKey(
        Level, on_delete=models.PROTECT, related_name="units", verbose_name=_("cấp")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    path = models.CharField(_("đường dẫn cây"), max_length=255, db_index=True)
    depth = models.PositiveSmallIntegerField(_("độ sâu"), default=0)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    # Kept for the record only: what a round sees is decided by the validity
    # dates (retiring a unit is setting ``valid_to``), never by this switch.
    is_active = models.BooleanField(
        _("đang hoạt động"),
        default=True,
        help_text=_(
            "Chỉ để tham khảo; để giải thể/sáp nhập đơn vị, hãy đặt ngày "
            "“hiệu lực đến”: các đợt trước ngày đó vẫn thấy đơn vị."
        ),
    )

    # The former units this one was formed from (a merger of communes in 2025).
    predecessors = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="successors",
        verbose_name=_("hình thành từ các đơn vị"),
    )

    objects = UnitQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["path"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_member_org(self):
        return self.unit_type == UnitType.TO_CHUC

    def ancestor_codes(self):
        return [code for code in self.path.split("/") if code][:-1]

    def is_descendant_of(self, other, *, include_self=False):
        if self.pk == other.pk:
            return include_self
        return self.path.startswith(other.path)

    def children_as_of(self, date):
        """The units directly below this one on ``date``."""
        return Unit.objects.as_of(date).filter(parent=self)

    def is_valid_on(self, date):
        return (self.valid_from is None or self.valid_from <= date) and (
            self.valid_to is None or self.valid_to > date
        )

    def compute_path(self):
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.code}/"
