"""Every URL × every role, on the role's own unit and on another unit.

How it works
------------
* ``url_names()`` walks the URL configuration (the Django admin, guarded by
  ``is_staff``, and static files are left out). A URL name missing from MATRIX
  fails ``test_every_url_has_a_matrix_entry`` with the list of names.
* ROLES says who each role is (unit code and role) and which unit is "own"
  and which is "other" for it. For reviewers "own" is a unit they review (one
  below theirs) and "other" one they do not.
* MATRIX[url name] = Entry(expect, kwargs, method, data, query), or a tuple of
  them when one URL is checked with several methods or object states:
  - ``expect[role]`` is the answer: a status code (200, 400, 401, 403, 404,
    405), LOGIN (redirect to the login page) or Redirect("url name"); a pair
    (own, other) when the answer differs between the role's own unit and the
    other unit; a triple (own, other, home) when a reviewer's own unit
    ("home", otherwise answered like the other unit) differs. Every role must
    be listed. ``Refused("url name")`` is a redirect that carries a refusal
    message: like 403/404/LOGIN it must change nothing.
  - ``kwargs`` maps each URL keyword to an object kind in OBJECTS, e.g.
    ``{"pk": "report"}``; the object is built for the own or the other unit.
  - ``method`` is "get" (default) or "post"; ``query`` a query string;
    ``data`` the POST body, where ``Pk("kind")`` stands for the pk of that
    kind's object on the same side and a field name may hold one
    ("c{comment}-fixed").
* OBJECTS[kind](unit, ctx) builds (or finds) an object of that kind belonging to
  ``unit`` and returns it; its ``pk`` goes into the URL. Objects are cached per
  test by (kind, unit), so kinds build on each other cheaply. To cover a new
  URL, add one MATRIX entry (and, for a new kind of object, one OBJECTS entry).
* Every GET and every answer that refuses (400, 401, 403, 404, 405, 409, LOGIN,
  Refused) is checked to have changed nothing: the row counts of what the pages
  create or delete, the status and revision of every report and the answers to
  comments are the same before and after.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import (
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)

from reports import workflow
from reports.models import (
    Answer,
    Attachment,
    AttachmentKind,
    Cell,
    Commendation,
    ExemplaryModel,
    Explanation,
    Level,
    Membership,
    PrefillField,
    ReopenRequest,
    Report,
    ReportEvent,
    ReportVersion,
    ReviewComment,
    Unit,
)
from reports.units import set_parent
from tests.factories import TINY_PDF, add_attachment, create_report, fill_report

pytestmark = pytest.mark.django_db

LOGIN = "login"


@dataclass(frozen=True)
class Redirect:
    url_name: str


@dataclass(frozen=True)
class Refused(Redirect):
    """A redirect with a refusal message: equal to the same Redirect, but the
    request must have changed nothing."""

    def __eq__(self, other):
        return isinstance(other, Redirect) and other.url_name == self.url_name

    __hash__ = Redirect.__hash__


@dataclass(frozen=True)
class Pk:
    """In a POST body: the pk of an object of ``kind`` on the side being tried."""

    kind: str


@dataclass(frozen=True)
class Role:
    unit: str  # the unit the user belongs to (None: anonymous)
    role: str
    own: str  # unit code of "its own" objects
    other: str  # unit code of another unit's objects
    home: str | None = None  # a reviewer's own unit, tried as a third side


# A province outside Tây Ninh with one district, built by the fixture: "another
# unit" for the province's reviewer and for the administrator.
OTHER_PROVINCE = "99"
OTHER_DISTRICT = "99-01"

ROLES = {
    "anonymous": Role(None, "", own="705", other="703"),
    "commune_staff": Role("25489", "staff", own="25489", other="25474"),
    "district_staff": Role("705", "staff", own="705", other="703"),
    # Reviewers' "own" is a unit they review: a commune of Tân Biên (705) for
    # its reviewer, a district of Tây Ninh for the province's.
    # The district's reviewer is also tried on the district itself ("home"): a
    # reviewer never reviews or reads their own unit's report. (The province's
    # report has nobody above it to approve or return it, so the province's
    # reviewer has no "home" side.)
    "district_reviewer": Role(
        "705", "reviewer", own="25489", other="25474", home="705"
    ),
    "member_org_staff": Role("72-HND", "staff", own="72-HND", other="72-HLHPN"),
    "province_reviewer": Role("72", "reviewer", own="705", other=OTHER_DISTRICT),
    "admin": Role("72", "admin", own="705", other=OTHER_DISTRICT),
}

STAFF_ROLES = ("commune_staff", "district_staff", "member_org_staff")
REVIEWER_ROLES = ("district_reviewer", "province_reviewer")


# --- Objects ---------------------------------------------------------------------


def _person(unit, role):
    """A user with ``role`` in ``unit`` (the unit's staff who fill and submit its
    report, the parent's reviewer who returns and approves it)."""
    user, created = get_user_model().objects.get_or_create(
        username=f"matrix-{role}-{unit.code}"
    )
    if created:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def _unit(unit, ctx):
    return unit


def _unit_with_children(unit, ctx):
    # Consolidation is of a unit with children; for a commune or a member
    # organisation that is the unit above it.
    return unit if unit.children.exists() else unit.parent


def _report(unit, ctx):
    """The unit's report, a draft."""
    return create_report(ctx.round, unit)


def _submitted_report(unit, ctx):
    """The unit's report filled and submitted (version 1), awaiting review."""
    report = ctx.get("report", unit)
    staff = _person(unit, "staff")
    fill_report(report, staff)
    ctx.get("commendation", unit)
    workflow.submit_report(report, actor=staff)
    return report


def _locked_model(unit, ctx):
    return ctx.get("submitted_report", unit).models.first()


def _locked_attachment(unit, ctx):
    return ctx.get("submitted_report", unit).attachments.first()


def _locked_commendation(unit, ctx):
    return ctx.get("submitted_report", unit).commendations.first()


def _approved_report(unit, ctx):
    report = ctx.get("submitted_report", unit)
    workflow.approve_report(report, actor=_person(unit.parent, "reviewer"))
    return report


def _comment(unit, ctx):
    """A reviewer's comment sent with a return: the unit has to answer it."""
    report = ctx.get("submitted_report", unit)
    workflow.return_report(
        report,
        actor=_person(unit.parent, "reviewer"),
        reason="Cần bổ sung số liệu",
        comments=[{"text": "Bổ sung số liệu mục II.1", "section_code": ""}],
    )
    return report.review_comments.get()


def _returned_report(unit, ctx):
    return ctx.get("comment", unit).report


def _model(unit, ctx):
    return ExemplaryModel.objects.create(
        report=ctx.get("report", unit),
        name=f"Mô hình của {unit.name}",
        content_area="II.1.1",
        unit_in_charge="Ban Thường trực",
        year_started=2017,
    )


def _attachment(unit, ctx):
    return add_attachment(
        ctx.get("report", unit),
        _person(unit, "staff"),
        AttachmentKind.SUPPORTING,
        TINY_PDF,
        "tai-lieu.pdf",
    )


def _commendation(unit, ctx):
    return Commendation.objects.create(
        report=ctx.get("report", unit),
        kind="collective",
        name=f"Ban Công tác Mặt trận của {unit.name}",
        achievements="Dẫn đầu phong trào",
    )


def _version_choice(unit, ctx):
    # The review list's bulk form posts "report pk:version number".
    report = ctx.get("submitted_report", unit)
    return SimpleNamespace(pk=f"{report.pk}:1")


# Object kinds a URL keyword can take: kind -> builder(unit, ctx) -> object.
OBJECTS = {
    "unit": _unit,
    "unit_with_children": _unit_with_children,
    "report": _report,
    "submitted_report": _submitted_report,
    "approved_report": _approved_report,
    "returned_report": _returned_report,
    "comment": _comment,
    "model": _model,
    "attachment": _attachment,
    "commendation": _commendation,
    # The same, hanging off a submitted (locked) report.
    "locked_model": _locked_model,
    "locked_attachment": _locked_attachment,
    "locked_commendation": _locked_commendation,
    "version_choice": _version_choice,
}


@dataclass
class Context:
    round: object
    cache: dict = field(default_factory=dict)

    def get(self, kind, unit):
        key = (kind, unit.code)
        if key not in self.cache:
            self.cache[key] = OBJECTS[kind](unit, self)
        return self.cache[key]


# --- The matrix ------------------------------------------------------------------


@dataclass
class Entry:
    expect: dict
    kwargs: dict = field(default_factory=dict)
    method: str = "get"
    data: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)


def _everyone(answer, anonymous=LOGIN):
    return {role: (anonymous if role == "anonymous" else answer) for role in ROLES}


def _roles(default, **answers):
    return {**_everyone(default), **answers}


# Read a report's page: the unit's staff, reviewers above it and administrators.
READERS = _roles((200, 404), admin=200)
# Change what hangs off a draft report: the unit's own staff only; reviewers who
# may read the report and administrators get the same 404 as for a missing page.
EDITORS_ONLY = _roles(
    (200, 404), district_reviewer=404, province_reviewer=404, admin=404
)


def _staff_only(answer, others=404):
    """``answer`` for the unit's staff on their own unit, ``others`` elsewhere."""
    return _roles(others, **{r: (answer, others) for r in STAFF_ROLES})


# Once the report is submitted its own staff are refused with a message; the
# same 404 as on a draft for everyone else.
def _locked(back):
    return _staff_only(Refused(back))


MATRIX = {
    "login": Entry(_everyone(200, anonymous=200)),
    "logout": Entry(
        _everyone(Redirect("login"), anonymous=Redirect("login")), method="post"
    ),
    "home": Entry(_everyone(200)),
    "unit_list": Entry(_everyone(200)),
    # A unit page: the user's own subtree, the reviewer's own unit included.
    "unit_detail": Entry(
        {**READERS, "district_reviewer": (200, 404, 200)}, kwargs={"pk": "unit"}
    ),
    # Reviewers and administrators have no report of their own: an empty list.
    "my_reports": Entry(_everyone(200)),
    # Start the report of a unit the user is staff of (posted in the body).
    "report_start": Entry(
        _staff_only(Redirect("report_edit")),
        method="post",
        data={"unit": Pk("unit")},
    ),
    # Reviewers follow drafts below them (the gate lets them read them).
    "report_detail": Entry(READERS, kwargs={"pk": "report"}),
    # A reader who may not edit is sent to the read-only page.
    # A submitted report is locked: its staff too are sent there.
    "report_edit": (
        Entry(
            _roles(
                (200, 404),
                district_reviewer=(Refused("report_detail"), 404),
                province_reviewer=(Refused("report_detail"), 404),
                admin=Refused("report_detail"),
            ),
            kwargs={"pk": "report"},
        ),
        Entry(
            _roles(
                (Refused("report_detail"), 404),
                district_reviewer=(Refused("report_detail"), 404),
                province_reviewer=(Refused("report_detail"), 404),
                admin=Refused("report_detail"),
            ),
            kwargs={"pk": "submitted_report"},
        ),
    ),
    # Autosave answers JSON: 401 (not a login redirect) keeps the typed text;
    # readers who may not edit get 403; an empty body from staff is a 400.
    "report_autosave": Entry(
        _roles(
            (400, 404),
            anonymous=401,
            district_reviewer=(403, 404),
            province_reviewer=(403, 404),
            admin=403,
        ),
        kwargs={"pk": "report"},
        method="post",
    ),
    # Only the unit's staff submit; an empty draft shows what is missing (200).
    "report_submit": (
        Entry(EDITORS_ONLY, kwargs={"pk": "report"}),
        Entry(EDITORS_ONLY, kwargs={"pk": "report"}, method="post"),
    ),
    # A draft's quality flags and their explanations: the unit's staff only; a
    # post without an explanation of a current flag is refused with a message.
    "report_quality": (
        Entry(EDITORS_ONLY, kwargs={"pk": "report"}),
        Entry(
            _staff_only(Refused("report_submit")),
            kwargs={"pk": "report"},
            method="post",
        ),
    ),
    # Lists of a draft's models, files and proposals: readers read them; only
    # the unit's staff add (an empty form: 200 with its errors).
    "model_list": (
        Entry(READERS, kwargs={"report_pk": "report"}),
        Entry(EDITORS_ONLY, kwargs={"report_pk": "report"}, method="post"),
        Entry(
            _locked("model_list"),
            kwargs={"report_pk": "submitted_report"},
            method="post",
        ),
    ),
    "model_edit": (
        Entry(EDITORS_ONLY, kwargs={"pk": "model"}),
        Entry(EDITORS_ONLY, kwargs={"pk": "model"}, method="post"),
    ),
    "model_delete": (
        Entry(
            _staff_only(Redirect("model_list")), kwargs={"pk": "model"}, method="post"
        ),
        Entry(_locked("model_list"), kwargs={"pk": "locked_model"}, method="post"),
    ),
    "attachment_list": (
        Entry(READERS, kwargs={"report_pk": "report"}),
        Entry(EDITORS_ONLY, kwargs={"report_pk": "report"}, method="post"),
        Entry(
            _locked("attachment_list"),
            kwargs={"report_pk": "submitted_report"},
            method="post",
        ),
    ),
    "attachment_download": (
        Entry(READERS, kwargs={"pk": "attachment"}),
        # The method is refused before the file is looked up: 405 tells nothing.
        Entry(_roles(405), kwargs={"pk": "attachment"}, method="post"),
    ),
    "attachment_delete": (
        Entry(
            _staff_only(Redirect("attachment_list")),
            kwargs={"pk": "attachment"},
            method="post",
        ),
        Entry(
            _locked("attachment_list"),
            kwargs={"pk": "locked_attachment"},
            method="post",
        ),
    ),
    "commendation_list": (
        Entry(READERS, kwargs={"report_pk": "report"}),
        Entry(EDITORS_ONLY, kwargs={"report_pk": "report"}, method="post"),
        Entry(
            _locked("commendation_list"),
            kwargs={"report_pk": "submitted_report"},
            method="post",
        ),
    ),
    "commendation_edit": (
        Entry(EDITORS_ONLY, kwargs={"pk": "commendation"}),
        Entry(EDITORS_ONLY, kwargs={"pk": "commendation"}, method="post"),
    ),
    "commendation_delete": (
        Entry(
            _staff_only(Redirect("commendation_list")),
            kwargs={"pk": "commendation"},
            method="post",
        ),
        Entry(
            _locked("commendation_list"),
            kwargs={"pk": "locked_commendation"},
            method="post",
        ),
    ),
    # Deadline tracking: reviewers and administrators follow progress; unit
    # staff get 403 (the page is not theirs, and it names no unit).
    "cockpit": Entry(
        _roles(403, district_reviewer=200, province_reviewer=200, admin=200)
    ),
    "extension_list": Entry(_everyone(200)),
    # A reviewer extends units below it; nobody extends their own unit (403);
    # a unit outside the subtree is a 404; staff may not extend (403 on their
    # own unit, 404 elsewhere).
    "extension_grant": Entry(
        _roles(
            (403, 404),
            district_reviewer=(200, 404, 403),
            province_reviewer=(200, 404),
            admin=200,
        ),
        kwargs={"unit_pk": "unit"},
    ),
    # An empty selection: reviewers are sent back to the cockpit with a message.
    "reminder_send": Entry(
        _roles(
            403,
            district_reviewer=Redirect("cockpit"),
            province_reviewer=Redirect("cockpit"),
            admin=Redirect("cockpit"),
        ),
        method="post",
    ),
}
MATRIX |= {
    "audit_log": Entry(_roles(403, admin=200)),
    # Reviewers' pages: unit staff are told 403 (a page of another role).
    "review_list": Entry(
        _roles(403, district_reviewer=200, province_reviewer=200, admin=200)
    ),
    # An empty selection, or one from another subtree, is refused with a message
    # on the list; the reviewer's own selection is approved. An administrator
    # reads but does not review: refused with a message.
    "review_bulk_approve": Entry(
        _roles(
            403,
            district_reviewer=(Redirect("review_list"), Refused("review_list")),
            province_reviewer=(Redirect("review_list"), Refused("review_list")),
            admin=Refused("review_list"),
        ),
        method="post",
        data={"reports": Pk("version_choice")},
    ),
    # A submitted report: its reviewers (and administrators, read-only); never
    # the unit's own staff, whatever their unit.
    "review_report": Entry(
        _roles(
            404, district_reviewer=(200, 404), province_reviewer=(200, 404), admin=200
        ),
        kwargs={"pk": "submitted_report"},
    ),
    # An empty action or comment form: 400 with its errors for the reviewer.
    "review_action": Entry(
        _roles(
            404, district_reviewer=(400, 404), province_reviewer=(400, 404), admin=400
        ),
        kwargs={"pk": "submitted_report"},
        method="post",
    ),
    "review_comment": Entry(
        _roles(
            404, district_reviewer=(400, 404), province_reviewer=(400, 404), admin=400
        ),
        kwargs={"pk": "submitted_report"},
        method="post",
    ),
    # The comments of a returned report: everyone who may read the report.
    "report_comments": Entry(READERS, kwargs={"pk": "returned_report"}),
    # Only the unit's staff answer ("đã sửa"); readers who may not answer are
    # refused with a message.
    "comment_answer": Entry(
        _roles(
            (Redirect("report_comments"), 404),
            district_reviewer=(Refused("report_comments"), 404),
            province_reviewer=(Refused("report_comments"), 404),
            admin=Refused("report_comments"),
        ),
        kwargs={"pk": "returned_report", "comment_pk": "comment"},
        method="post",
        data={"c{comment}-fixed": "on"},
    ),
    # The unit's staff ask to reopen their approved report; readers who may
    # not are refused with a message.
    "reopen_request": Entry(
        _roles(
            (Redirect("report_comments"), 404),
            district_reviewer=(Refused("report_comments"), 404),
            province_reviewer=(Refused("report_comments"), 404),
            admin=Refused("report_comments"),
        ),
        kwargs={"pk": "approved_report"},
        method="post",
        data={"reason": "Cần sửa số liệu biểu 1.2"},
    ),
    # Versions compared: a submitted report has one.
    "report_diff": Entry(READERS, kwargs={"pk": "submitted_report"}),
    # Straight to the highest unit the user consolidates; a commune's or a
    # member organisation's staff have no units below them.
    "consolidation_index": Entry(
        _roles(Redirect("consolidation"), commune_staff=404, member_org_staff=404)
    ),
    # A unit with children: its reviewers above and in it, its own staff (who
    # write its report from it). A commune's or a member organisation's "own"
    # here is the unit above them, which they do not consolidate.
    "consolidation": Entry(
        _roles(
            (200, 404),
            commune_staff=404,
            member_org_staff=404,
            district_reviewer=(200, 404, 200),
            admin=200,
        ),
        kwargs={"unit_pk": "unit_with_children"},
    ),
    # Only the unit's own staff create its pre-filled report; reviewers and
    # administrators, who may read the consolidation, are refused with a message.
    "prefill_create": Entry(
        _roles(
            404,
            district_staff=(Redirect("prefill_status"), 404),
            district_reviewer=(Refused("consolidation"), 404, Refused("consolidation")),
            province_reviewer=(Refused("consolidation"), 404),
            admin=Refused("consolidation"),
        ),
        kwargs={"unit_pk": "unit_with_children"},
        method="post",
    ),
    "prefill_status": Entry(READERS, kwargs={"pk": "report"}),
    "prefill_refresh": Entry(
        _roles(
            (Redirect("prefill_status"), 404),
            district_reviewer=(Refused("prefill_status"), 404),
            province_reviewer=(Refused("prefill_status"), 404),
            admin=Refused("prefill_status"),
        ),
        kwargs={"pk": "report"},
        method="post",
    ),
    "prefill_dismiss": Entry(
        _roles(
            (Redirect("prefill_status"), 404),
            district_reviewer=(Refused("prefill_status"), 404),
            province_reviewer=(Refused("prefill_status"), 404),
            admin=Refused("prefill_status"),
        ),
        kwargs={"pk": "report"},
        method="post",
        data={"key": "section:I.1:text"},
    ),
    # Consolidated exports: whoever reads the consolidation (its page carries
    # the download buttons), the unit's own staff included.
    "export_consolidated_xlsx": Entry(
        _roles(
            (200, 404),
            commune_staff=404,
            member_org_staff=404,
            district_reviewer=(200, 404, 200),
            admin=200,
        ),
        kwargs={"pk": "unit_with_children"},
    ),
    "export_consolidated_pdf": Entry(
        _roles(
            (200, 404),
            commune_staff=404,
            member_org_staff=404,
            district_reviewer=(200, 404, 200),
            admin=200,
        ),
        kwargs={"pk": "unit_with_children"},
    ),
    "export_consolidated_docx": Entry(
        _roles(
            (200, 404),
            commune_staff=404,
            member_org_staff=404,
            district_reviewer=(200, 404, 200),
            admin=200,
        ),
        kwargs={"pk": "unit_with_children"},
    ),
    # A report's exports: the submitted version for every reader; a draft only
    # for the unit's own staff (nothing submitted yet for anyone else to read).
    "export_xlsx": (
        Entry(READERS, kwargs={"pk": "submitted_report"}),
        Entry(EDITORS_ONLY, kwargs={"pk": "report"}),
    ),
    "export_pdf": (
        Entry(READERS, kwargs={"pk": "submitted_report"}),
        Entry(EDITORS_ONLY, kwargs={"pk": "report"}),
    ),
    "export_docx": (
        Entry(READERS, kwargs={"pk": "submitted_report"}),
        Entry(EDITORS_ONLY, kwargs={"pk": "report"}),
    ),
    "report_print_preview": (
        Entry(READERS, kwargs={"pk": "submitted_report"}),
        Entry(EDITORS_ONLY, kwargs={"pk": "report"}),
    ),
    "sealed_copy_download": Entry(READERS, kwargs={"pk": "approved_report"}),
    # The Excel round trip fills the unit's own draft: its staff only (an empty
    # upload: 200 with the form's error).
    "xlsx_template": Entry(EDITORS_ONLY, kwargs={"pk": "report"}),
    "xlsx_import": (
        Entry(EDITORS_ONLY, kwargs={"pk": "report"}),
        Entry(EDITORS_ONLY, kwargs={"pk": "report"}, method="post"),
    ),
    # The blank form is the same for everyone signed in. Asked as Excel: the
    # format is picked after every check, and its PDF (seconds per render) is
    # read back in test_export_views.
    "export_blank_form": Entry(_everyone(200), query={"dinh-dang": "xlsx"}),
}


def entries(name):
    entry = MATRIX[name]
    return entry if isinstance(entry, tuple) else (entry,)


# --- The URL configuration -------------------------------------------------------


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
    for name in MATRIX:
        for entry in entries(name):
            assert set(entry.expect) == set(ROLES), name
            kinds = set(entry.kwargs.values())
            kinds |= {v.kind for v in entry.data.values() if isinstance(v, Pk)}
            assert kinds <= set(OBJECTS), name
            assert entry.method in ("get", "post"), name


# --- Running one case ------------------------------------------------------------


@pytest.fixture
def other_province(demo):
    levels = {level.code: level for level in Level.objects.all()}
    province = Unit(
        code=OTHER_PROVINCE, name="Tỉnh Khác", unit_type="tinh", level=levels["tinh"]
    )
    set_parent(province, None)
    district = Unit(
        code=OTHER_DISTRICT,
        name="Huyện Khác",
        unit_type="huyen",
        level=levels["huyen"],
    )
    set_parent(district, province)
    return province


def _login(client, role_name):
    role = ROLES[role_name]
    if role.unit is None:
        return
    user = get_user_model().objects.create(username=f"matrix-{role_name}")
    Membership.objects.create(
        user=user, unit=Unit.objects.get(code=role.unit), role=role.role
    )
    client.force_login(user)


class _Pks(dict):
    """kind -> pk of that kind's object for ``unit`` (a form field's name may
    hold one: "c{comment}-fixed")."""

    def __init__(self, ctx, unit):
        super().__init__()
        self.ctx, self.unit = ctx, unit

    def __missing__(self, kind):
        return self.ctx.get(kind, self.unit).pk


def _request(client, entry, url_name, unit_code, ctx):
    unit = Unit.objects.get(code=unit_code)
    kwargs = {key: ctx.get(kind, unit).pk for key, kind in entry.kwargs.items()}
    pks = _Pks(ctx, unit)
    data = {
        key.format_map(pks): (pks[value.kind] if isinstance(value, Pk) else value)
        for key, value in entry.data.items()
    }
    url = reverse(url_name, kwargs=kwargs)
    if entry.query:
        url += "?" + urlencode(entry.query)
    return url, (lambda: getattr(client, entry.method)(url, data))


def _answer(response):
    if response.status_code in (301, 302):
        if response.url.startswith(reverse("login") + "?next="):
            return LOGIN
        match = resolve(urlsplit(response.url).path)
        return Redirect(match.view_name)
    return response.status_code


# 400 and 409 refuse the input itself.
REFUSALS = (400, 401, 403, 404, 405, 409, LOGIN)


def _refuses(want):
    return want in REFUSALS or isinstance(want, Refused)


COUNTED = (
    Report,
    ReportEvent,
    ReportVersion,
    Answer,
    Cell,
    ExemplaryModel,
    Attachment,
    Commendation,
    ReviewComment,
    ReopenRequest,
    PrefillField,
    Explanation,
)


def _state():
    """What a refused request must leave as it found: counts and report states."""
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    reports = list(
        Report.objects.order_by("pk").values_list("pk", "status", "revision")
    )
    comments = list(
        ReviewComment.objects.order_by("pk").values_list("pk", "response", "fixed")
    )
    return counts, reports, comments


CASES = [
    pytest.param(name, i, role, id=f"{name}-{entry.method}{i or ''}-{role}")
    for name in MATRIX
    for i, entry in enumerate(entries(name))
    for role in ROLES
]


@pytest.mark.parametrize(("url_name", "index", "role_name"), CASES)
def test_permission_matrix(client, demo, other_province, url_name, index, role_name):
    entry = entries(url_name)[index]
    expected = entry.expect[role_name]
    if not isinstance(expected, tuple):
        expected = (expected, expected)
    own_expected, other_expected, home_expected = (*expected, expected[1])[:3]
    role = ROLES[role_name]
    ctx = Context(round=demo)
    _login(client, role_name)
    sides = [("own", role.own, own_expected)]
    if entry.kwargs or entry.data:
        sides.append(("other", role.other, other_expected))
        if role.home:
            sides.append(("home", role.home, home_expected))
    for side, unit_code, want in sides:
        url, send = _request(client, entry, url_name, unit_code, ctx)
        before = _state()
        got = _answer(send())
        where = f"{url_name} ({entry.method}) as {role_name} on {side} unit ({url})"
        assert got == want, where
        if _refuses(want) or entry.method == "get":
            assert _state() == before, f"changed something: {where}"


@pytest.mark.parametrize("role_name", [r for r in ROLES if r != "anonymous"])
def test_every_menu_link_shown_to_a_role_opens_for_it(client, demo, role_name):
    _login(client, role_name)
    items = client.get(reverse("home")).context["nav_items"]
    assert items
    for item in items:
        response = client.get(item["url"])
        got = _answer(response)
        # Followed to a page of its own, not to a login page.
        assert got == 200 or isinstance(got, Redirect), (item["label"], got)
        if isinstance(got, Redirect):
            assert got.url_name not in ("login", "admin:login"), item["label"]
            assert client.get(response.url).status_code == 200, item["label"]
