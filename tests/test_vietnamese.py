"""Every screen in Vietnamese: the admin, the error pages and their catalogue."""

import gettext
import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from babel.messages.pofile import read_po
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import RequestFactory
from django.urls import include, path, reverse
from django.utils import timezone, translation
from django.views import defaults
from django.views.i18n import JSONCatalog

from reports.middleware import DatabaseUnavailableMiddleware
from reports.models import Extension, ReminderLog, Unit
from tests.factories import create_report

LOCALE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES"

# Django's own words, as they show when a catalogue lacks them. Whole words,
# case-sensitive: a Vietnamese page may carry a name or a code, never these.
ENGLISH = [
    "Add",
    "Change",
    "Changed",
    "Delete",
    "Deleted",
    "Save",
    "History",
    "Filter",
    "Show counts",
    "Hide counts",
    "Password",
    "password",
    "Please correct",
    "Select",
    "Search",
    "Action",
    "Go",
    "Home",
    "Log out",
    "View site",
    "View",
    "Authentication",
    "Access attempts",
    "Access Attempt",
    "Access logs",
    "Attempt",
    "Locked",
    "Not Found",
    "Server Error",
    "Bad Request",
    "Forbidden",
    "Welcome",
    "Users",
    "Groups",
    "Recent actions",
    "Username",
    "Yes",
    "No",
    "Unknown",
    "All",
    "Today",
    "Enabled",
    "Disabled",
    "Reset",
    "Skip to main content",
    "Breadcrumbs",
    "Toggle",
    "Sidebar",
    "entries",
    "entry",
    "results",
    "total",
    "Object",
    "Comment",
    "Sessions",
    "Revert",
    "Close",
    "Cancel",
    "Required",
    "Error",
    "Are you sure",
    "Summary",
    "Can add",
    "Can change",
    "Objects",
    "Permissions",
    "Personal info",
    "Important dates",
    "Failures",
    "Expires",
    "User Agent",
    "IP Address",
]
_ENGLISH_RE = re.compile(
    r"(?<![\w-])(" + "|".join(map(re.escape, ENGLISH)) + r")(?![\w-])"
)


class _ShownText(HTMLParser):
    """The text a person sees or hears: text nodes and a few attributes."""

    SPOKEN = ("title", "aria-label", "placeholder", "alt")
    HIDDEN = ("script", "style", "template")

    def __init__(self):
        super().__init__()
        self.parts = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        attrs = dict(attrs)
        self.parts += [attrs[a] for a in self.SPOKEN if attrs.get(a)]
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self.parts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def english_in(html):
    parser = _ShownText()
    parser.feed(html)
    return sorted({m.group(0) for m in _ENGLISH_RE.finditer(" ".join(parser.parts))})


def test_the_english_finder_finds_django_strings_and_not_vietnamese():
    assert english_in('<p>Show counts</p><input type="submit" value="Save">') == [
        "Save",
        "Show counts",
    ]
    assert english_in('<a title="Change history">x</a>') == ["Change"]
    assert english_in("<script>Add()</script><p class='Add'>Thêm Đơn vị 705</p>") == []


# --- The admin -------------------------------------------------------------------


@pytest.fixture
def superuser(demo, make_user, client):
    user = make_user("72", "admin", is_staff=True, is_superuser=True)
    user.first_name, user.last_name = "Quản", "Trị"
    user.save()
    Group.objects.create(name="Cán bộ tổng hợp")
    tan_bien = Unit.objects.get(code="705")
    Extension.objects.create(
        round=demo,
        unit=tan_bien,
        new_date=date(2020, 12, 31),
        reason="Lũ lụt",
        granted_by=user,
    )
    ReminderLog.objects.create(
        round=demo,
        unit=tan_bien,
        step="-5",
        sent_at=timezone.now(),
        recipients="tanbien@example.vn",
        subject="Nhắc hạn",
    )
    create_report(demo, tan_bien)
    # A row for each django-axes page.
    seen = {"username": "tanbien", "ip_address": "10.0.0.7", "path_info": "/dang-nhap/"}
    AccessAttempt.objects.create(**seen, failures_since_start=2)
    AccessFailureLog.objects.create(**seen)
    AccessLog.objects.create(**seen)
    client.force_login(user)
    return user


def _admin_pages(user):
    """Every admin page of every registered model, as (name, url)."""
    pages = [
        ("index", reverse("admin:index")),
        ("password_change", reverse("admin:password_change")),
        ("password_change_done", reverse("admin:password_change_done")),
        ("user_password", reverse("admin:auth_user_password_change", args=[user.pk])),
    ]
    apps = set()
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        apps.add(opts.app_label)
        name = f"admin:{opts.app_label}_{opts.model_name}"
        pages.append((f"{name}_changelist", reverse(f"{name}_changelist")))
        pages.append(
            (
                f"{name}_changelist?counts",
                reverse(f"{name}_changelist") + "?_facets=True",
            )
        )
        if model_admin.has_add_permission(_request(user)):
            pages.append((f"{name}_add", reverse(f"{name}_add")))
        # The newest row: the oldest (the province, the round) drags the whole
        # season into its delete page.
        obj = model._default_manager.order_by("-pk").first()
        assert obj is not None, f"no {opts.model_name} to show its pages"
        for view in ("change", "history", "delete"):
            pages.append((f"{name}_{view}", reverse(f"{name}_{view}", args=[obj.pk])))
    pages += [(f"app {app}", reverse("admin:app_list", args=[app])) for app in apps]
    return pages


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.django_db
def test_every_admin_page_is_vietnamese(client, superuser):
    found = {}
    for name, url in _admin_pages(superuser):
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        words = english_in(response.content.decode())
        if words:
            found[name] = words
    assert not found, "\n".join(f"{name}: {words}" for name, words in found.items())


@pytest.mark.django_db
def test_admin_form_errors_are_vietnamese(client, superuser):
    response = client.post(reverse("admin:auth_user_add"), {"username": ""})
    body = response.content.decode()
    assert "Vui lòng sửa" in body
    assert english_in(body) == []


@pytest.mark.django_db
def test_admin_login_page_is_vietnamese(client, demo):
    response = client.get(reverse("admin:login"))
    assert english_in(response.content.decode()) == []


@pytest.mark.django_db
def test_admin_javascript_catalogue_is_vietnamese(rf):
    # What the admin's jsi18n script carries, as JSON.
    view = JSONCatalog.as_view(packages=["django.contrib.admin"])
    with translation.override("vi"):
        catalog = json.loads(view(rf.get("/")).content)["catalog"]
    assert catalog["Sunday"] == "Chủ nhật"
    assert catalog["Choose all %s"] == "Chọn tất cả %s"
    assert catalog["%s selected option not visible"] == ["%s mục đã chọn đang bị ẩn"]


# --- Error pages ------------------------------------------------------------------


@pytest.fixture
def production_errors(settings):
    settings.DEBUG = False


def _vietnamese_page(response, status, title):
    body = response.content.decode() if hasattr(response, "content") else response
    assert response.status_code == status
    assert title in body
    assert 'href="/"' in body  # the site's layout: the way home
    assert "sokket.css" in body
    assert english_in(body) == []
    return body


@pytest.mark.django_db
def test_404_page_is_vietnamese_in_the_site_layout(client, demo, production_errors):
    response = client.get("/khong-co-trang-nay/")
    _vietnamese_page(response, 404, "Không tìm thấy trang")


@pytest.mark.django_db
def test_403_page_is_vietnamese_in_the_site_layout(rf, demo, production_errors):
    request = rf.get("/")
    request.user = AnonymousUser()
    response = defaults.permission_denied(request, PermissionDenied())
    _vietnamese_page(response, 403, "Không có quyền truy cập")


def test_400_page_is_vietnamese_and_needs_no_database(rf, production_errors):
    response = defaults.bad_request(rf.get("/"), SuspiciousOperation())
    _vietnamese_page(response, 400, "Yêu cầu không hợp lệ")


@pytest.mark.django_db
def test_a_bad_host_answers_the_vietnamese_400(client, production_errors):
    # Refused before the authentication middleware: the page has no user.
    response = client.get("/", HTTP_HOST="gia-mao.example")
    _vietnamese_page(response, 400, "Yêu cầu không hợp lệ")


def test_500_page_is_vietnamese_and_needs_no_database(rf, production_errors):
    # No django_db mark: any database query while rendering fails this test.
    response = defaults.server_error(rf.get("/"))
    _vietnamese_page(response, 500, "Lỗi hệ thống")


def test_503_page_is_vietnamese_and_needs_no_database(rf, production_errors):
    from django.db import OperationalError

    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = rf.get("/")
    response = middleware.process_exception(request, OperationalError("mất kết nối"))
    _vietnamese_page(response, 503, "tạm thời gián đoạn")


@pytest.mark.django_db
def test_csrf_failure_page_is_vietnamese(demo, production_errors):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "a", "password": "b"})
    _vietnamese_page(response, 403, "Không xác minh được biểu mẫu")


def _broken(request):
    raise RuntimeError("hỏng")


urlpatterns = [path("hong/", _broken), path("", include("sokket.urls"))]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_unhandled_error_answers_the_vietnamese_500(client, demo, production_errors):
    client.raise_request_exception = False
    response = client.get("/hong/")
    _vietnamese_page(response, 500, "Lỗi hệ thống")


@pytest.mark.django_db
def test_lockout_page_is_vietnamese(client, demo, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        response = client.post(
            reverse("login"), {"username": "tanbien", "password": "sai-mat-khau"}
        )
    assert response.status_code == 429
    body = response.content.decode()
    assert "Tạm khóa đăng nhập" in body
    assert english_in(body) == []


# --- The catalogue ------------------------------------------------------------------


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_compiled_catalogue_matches_its_source(domain):
    with open(LOCALE / f"{domain}.po", "rb") as f:
        po = [m for m in read_po(f) if m.id]
    with open(LOCALE / f"{domain}.mo", "rb") as f:
        mo = gettext.GNUTranslations(f)
    stale = "the .mo is stale: msgfmt -c -o django.mo django.po"
    for m in po:
        assert not m.fuzzy and all(m.string), f"no Vietnamese for {m.id!r}"
        if m.pluralizable:
            got = (
                mo.npgettext(m.context, *m.id, 1)
                if m.context
                else mo.ngettext(*m.id, 1)
            )
            assert got == m.string[0], stale
        else:
            got = mo.pgettext(m.context, m.id) if m.context else mo.gettext(m.id)
            assert got == m.string, stale
    # Nothing in the .mo that the .po no longer has (the header is one entry).
    assert len({k if isinstance(k, str) else k[0] for k in mo._catalog}) == len(po) + 1


_DJANGO = Path(__import__("django").__file__).parent
_CATALOGUES = [
    _DJANGO / "conf" / "locale",
    *(
        _DJANGO / "contrib" / app / "locale"
        for app in ("admin", "auth", "contenttypes", "sessions")
    ),
]


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_django_string_has_vietnamese(domain):
    """A Django upgrade that brings new English strings fails here, not on a screen."""
    untranslated = []
    with translation.override("vi"):
        for locale in _CATALOGUES:
            source = locale / "en" / "LC_MESSAGES" / f"{domain}.po"
            if not source.exists():
                continue
            with open(source, "rb") as f:
                catalog = read_po(f)
            theirs = locale / "vi" / "LC_MESSAGES" / f"{domain}.po"
            with open(theirs, "rb") as f:
                shipped = read_po(f)
            with open(LOCALE / f"{domain}.po", "rb") as f:
                ours = read_po(f)
            for message in catalog:
                if not message.id:
                    continue
                if not any(_translated(c, message) for c in (ours, shipped)):
                    untranslated.append(message.id)
    assert untranslated == []


def _translated(catalog, message):
    found = catalog.get(message.id, context=message.context)
    return (
        found is not None
        and not found.fuzzy
        and found.pluralizable == message.pluralizable
        and all(found.string if found.pluralizable else [found.string])
    )
