"""Who belongs to which unit, in which role."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.models import HistoricalRecords

from .units import Unit


class Role(models.TextChoices):
    STAFF = "staff", _("Cán bộ đơn vị (soạn và nộp báo cáo)")
    REVIEWER = "reviewer", _("Cán bộ thẩm định (xem xét báo cáo cấp dưới)")
    ADMIN = "admin", _("Quản trị hệ thống")


class Membership(models.Model):
    """A user's role in a unit; the role's scope is the unit's subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("người dùng"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("đơn vị"),
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    title = models.CharField(
        _("chức vụ / bộ phận"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: Ban Phong trào - Tuyên giáo"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__path", "role"]
        verbose_name = _("phân quyền theo đơn vị")
        verbose_name_plural = _("phân quyền theo đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"], name="membership_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.unit.name}"


# Changes to user accounts (names, activation, passwords set) are audited too.
register(get_user_model(), app="reports", table_name="reports_historicaluser")
