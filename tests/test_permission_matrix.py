"""Every URL × every role, on the role's own unit and on another unit.

How it works
------------
* ``url_names()`` walks the URL configuration (the Django admin, guarded by
  ``is_staff``, and static files are left out). A URL name missing from MATRIX
  fails ``test_every_url_has_a_matrix_entry`` with the list of names.
* ROLES says who each role is (unit code and role) and which unit is "own"
  and which is "other" for it.
* MATRIX[url name] = Entry(expect, kwargs, method):
  - ``expect[role]`` is the answer: a status code (200, 403, 404, 405), LOGIN
    (redirect to the login page) or Redirect("url name"); a pair (own, other)
    when the answer differs between the role's own unit and the other unit.
    Every role must be listed.
  - ``kwargs`` maps each URL keyword to an object kind in OBJECTS, e.g.
    ``{"pk": "report"}``; the object is built for the own or the other unit.
  - ``method`` is "get" (default) or "post".
* OBJECTS[kind](unit, ctx) builds (or finds) an object of that kind belonging to
  ``unit`` and returns it; its ``pk`` goes into the URL. To cover a new URL,
  add one MATRIX entry (and, for a new kind of object, one OBJECTS entry).
"""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reports.models import Level, Membership, Unit
from tests.factories import create_report

pytestmark = pytest.mark.django_db

LOGIN = "login"


@dataclass(frozen=True)
class Redirect:
    url_name: str


@dataclass(frozen=True)
class Role:
    unit: str  # the unit the user belongs to (None: anonymous)
    role: str
    own: str  # unit code of "its own" objects
    other: str  # unit code of another unit's objects


# A province outside Tây Ninh, built by the fixture: "another unit" for the province.
OTHER_PROVINCE = "99"

ROLES = {
    "anonymous": Role(None, "", own="705", other="703"),
    "commune_staff": Role("25489", "staff", own="25489", other="25474"),
    "district_staff": Role("705", "staff", own="705", other="703"),
    "district_reviewer": Role("705", "reviewer", own="705", other="703"),
    "member_org_staff": Role("72-HND", "staff", own="72-HND", other="72-HLHPN"),
    "province_reviewer": Role("72", "reviewer", own="72", other=OTHER_PROVINCE),
    "admin": Role("72", "admin", own="72", other=OTHER_PROVINCE),
}


def _unit(unit, ctx):
    return unit


def _report(unit, ctx):
    return create_report(ctx.round, unit)


# Object kinds a URL keyword can take: kind -> builder(unit, ctx) -> object.
OBJECTS = {
    "unit": _unit,
    "report": _report,
}


@dataclass
class Entry:
    expect: dict
    kwargs: dict = field(default_factory=dict)
    method: str = "get"


def _everyone(answer, anonymous=LOGIN):
    return {role: (anonymous if role == "anonymous" else answer) for role in ROLES}


MATRIX = {
    "login": Entry(_everyone(200, anonymous=200)),
    "logout": Entry(
        _everyone(Redirect("login"), anonymous=Redirect("login")), method="post"
    ),
    "home": Entry(_everyone(200)),
    "unit_list": Entry(_everyone(200)),
    "unit_detail": Entry(
        {**_everyone((200, 404)), "admin": 200},
        kwargs={"pk": "unit"},
    ),
    "audit_log": Entry({**_everyone(403), "admin": 200}),
    # Deadline tracking: reviewers and administrators follow progress.
    "cockpit": Entry(
        {
            **_everyone(403),
            "district_reviewer": 200,
            "province_reviewer": 200,
            "admin": 200,
        }
    ),
    "extension_list": Entry(_everyone(200)),
    # Nobody extends their own unit; another unit outside the subtree is a 404.
    "extension_grant": Entry(
        {**_everyone((403, 404)), "admin": 200},
        kwargs={"unit_pk": "unit"},
    ),
    # An empty selection: reviewers are sent back to the cockpit with a message.
    "reminder_send": Entry(
        {
            **_everyone(403),
            "district_reviewer": Redirect("cockpit"),
            "province_reviewer": Redirect("cockpit"),
            "admin": Redirect("cockpit"),
        },
        method="post",
    ),
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # the Django admin: is_staff, tested in test_admin.py
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _walk(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern):
            if str(pattern.pattern).startswith("static/"):
                continue
            yield f"{prefix}{pattern.name}" if pattern.name else str(pattern.pattern)


def url_names():
    return sorted(set(_walk(get_resolver().url_patterns)))


def test_every_url_has_a_matrix_entry():
    names = url_names()
    missing = [name for name in names if name not in MATRIX]
    assert not missing, (
        "URLs without an entry in tests/test_permission_matrix.py MATRIX "
        f"(add one per URL name): {', '.join(missing)}"
    )
    stale = [name for name in MATRIX if name not in names]
    assert not stale, f"MATRIX entries for URLs that no longer exist: {stale}"


def test_every_matrix_entry_names_every_role_and_known_object_kinds():
    for name, entry in MATRIX.items():
        assert set(entry.expect) == set(ROLES), name
        assert set(entry.kwargs.values()) <= set(OBJECTS), name
        assert entry.method in ("get", "post"), name


@dataclass
class Context:
    round: object


@pytest.fixture
def other_province(demo):
    level = Level.objects.get(code="tinh")
    unit, _ = Unit.objects.get_or_create(
        code=OTHER_PROVINCE,
        defaults={
            "name": "Tỉnh Khác",
            "unit_type": "tinh",
            "level": level,
            "path": f"{OTHER_PROVINCE}/",
        },
    )
    return unit


def _login(client, role_name):
    role = ROLES[role_name]
    if role.unit is None:
        return
    user = get_user_model().objects.create(username=f"matrix-{role_name}")
    Membership.objects.create(
        user=user, unit=Unit.objects.get(code=role.unit), role=role.role
    )
    client.force_login(user)


def _url(name, entry, unit_code, ctx):
    unit = Unit.objects.get(code=unit_code)
    kwargs = {key: OBJECTS[kind](unit, ctx).pk for key, kind in entry.kwargs.items()}
    return reverse(name, kwargs=kwargs)


def _answer(response):
    if response.status_code in (301, 302):
        if response.url.startswith(reverse("login") + "?next="):
            return LOGIN
        for name in ("login", "home", "cockpit"):
            if response.url == reverse(name):
                return Redirect(name)
        return ("redirect", response.url)
    return response.status_code


CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.mark.parametrize(("url_name", "role_name"), CASES)
def test_permission_matrix(client, demo, other_province, url_name, role_name):
    entry = MATRIX[url_name]
    expected = entry.expect[role_name]
    own_expected, other_expected = (
        expected if isinstance(expected, tuple) else (expected, expected)
    )
    role = ROLES[role_name]
    ctx = Context(round=demo)
    _login(client, role_name)
    sides = [("own", role.own, own_expected)]
    if entry.kwargs:
        sides.append(("other", role.other, other_expected))
    for side, unit_code, want in sides:
        url = _url(url_name, entry, unit_code, ctx)
        response = getattr(client, entry.method)(url)
        got = _answer(response)
        assert got == want, f"{url_name} as {role_name} on {side} unit ({url})"
