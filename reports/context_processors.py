"""Navigation by role, for the base layout."""

from django.contrib import admin as django_admin
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import permissions
from .models import Role

# (label, url name, who sees it): "all", a role, "admin", "site_admin" (who
# may enter the Django admin: an active is_staff user), or "consolidator"
# (reviewers, and staff who write their report from the units below).
NAV_ITEMS = [
    (_("Trang chủ"), "home", "all"),
    (_("Báo cáo của đơn vị"), "my_reports", "staff"),
    (_("Đơn vị"), "unit_list", "all"),
    (_("Thẩm định"), "review_list", "reviewer"),
    (_("Tổng hợp"), "consolidation_index", "consolidator"),
    (_("Tiến độ"), "cockpit", "reviewer"),
    (_("Nhật ký thay đổi"), "audit_log", "admin"),
    (_("Mẫu báo cáo để in"), "export_blank_form", "all"),
    (_("Quản trị"), "admin:index", "site_admin"),
]


def navigation(request):
    # A 400 (a bad Host header) is answered before the request has a user.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = {m.role for m in permissions.memberships_of(user)}
    admin = permissions.is_admin(user)
    site_admin = django_admin.site.has_permission(request)
    items = []
    for label, url_name, audience in NAV_ITEMS:
        if audience == "admin" and not admin:
            continue
        if audience == "site_admin" and not site_admin:
            continue
        if audience == "consolidator" and not (
            admin or Role.REVIEWER in roles or permissions.drafts_from_below(user)
        ):
            continue
        if audience in Role.values and audience not in roles and not admin:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path == url})
    return {"nav_items": items, "user_is_admin": admin, "user_site_admin": site_admin}
