"""Every URL, every role, every method, hostile values: never a 500, and a
refused request changes nothing.

How it works
------------
* The URLs are those of tests/test_permission_matrix.py (``url_names()``): a URL
  name missing from SWEEP fails ``test_every_url_has_a_sweep_entry``.
* SWEEP[url name] names the parameters the view reads: ``query`` (GET) and
  ``form`` (POST fields, ``{comment}`` standing for a comment's pk), and
  ``fixed`` ones sent with every request; the path's
  objects come from the permission matrix's entries (``kwargs``), built for the
  district Tân Biên (705), whose staff, reviewers and administrator can reach
  them and whose other roles cannot.
* For each URL, hypothesis draws a role (anonymous included), a method the URL
  answers, a path value (a real pk, zero, huge, non-digit), and values for each
  parameter: huge and negative numbers, floats, ``Infinity``, ``1e400``, NUL
  and control characters, long text, non-UTF-8 bytes, nested JSON, and a body
  that is empty, JSON, raw bytes, too many fields or declared oversized.
* The answer is never a 500 (nor an exception). When it refuses (4xx), the row
  counts and report states of the permission matrix are unchanged.
"""

import json
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.models import Unit
from tests.test_permission_matrix import (
    LOGIN,
    MATRIX,
    ROLES,
    Context,
    Refused,
    _login,
    _state,
    url_names,
)

pytestmark = pytest.mark.django_db

UNIT = "705"  # whose objects the paths name

EXEMPLARY = ["name", "content_area", "unit_in_charge", "year_started"]
EXEMPLARY += ["description", "results", "attachment"]
COMMENDATION = ["kind", "name", "position", "unit_name", "achievements", "award"]

# url name -> the parameters the view reads: query (GET) and form (POST).
SWEEP = {
    "login": {"query": ["next"], "form": ["username", "password", "next"]},
    "logout": {"form": ["next"]},
    "home": {},
    "unit_list": {"query": ["q", "level", "page"]},
    "unit_detail": {},
    "my_reports": {},
    "report_start": {"form": ["unit"]},
    "report_detail": {},
    "report_edit": {},
    "report_quality": {"form": ["giai-thich:rule:1.5:giai-quyet-trong-tong"]},
    "report_autosave": {
        "form": ["part", "base_revision", "fields", "_json"],
        "fixed": {"part": "section:I.1", "fields": "{}"},
    },
    "report_submit": {"form": ["expected_status"]},
    "model_list": {"form": EXEMPLARY},
    "model_edit": {"form": EXEMPLARY},
    "model_delete": {},
    "attachment_list": {"form": ["kind", "file"]},
    "attachment_download": {},
    "attachment_delete": {"form": ["back"]},
    "commendation_list": {"form": COMMENDATION},
    "commendation_edit": {"form": COMMENDATION},
    "commendation_delete": {},
    "cockpit": {"query": ["level", "parent", "status", "page"]},
    "reminder_send": {"query": ["next"], "form": ["units", "next"]},
    "extension_list": {"query": ["page"]},
    "extension_grant": {"query": ["next"], "form": ["new_date", "reason", "next"]},
    "audit_log": {"query": ["model", "user", "page"]},
    "review_list": {"query": ["status", "page"]},
    "review_bulk_approve": {"form": ["reports", "status"]},
    "review_report": {},
    "review_action": {
        "form": ["action", "expected_status", "expected_version", "reason"]
    },
    "review_comment": {"form": ["section", "column", "text"]},
    "report_comments": {},
    "comment_answer": {"form": ["c{comment}-response", "c{comment}-fixed"]},
    "reopen_request": {"form": ["reason"]},
    "report_diff": {"query": ["a", "b"]},
    "consolidation_index": {},
    "consolidation": {"query": ["submitted"]},
    "prefill_create": {},
    "prefill_status": {},
    "prefill_refresh": {},
    "prefill_dismiss": {"form": ["key"]},
    "export_consolidated_xlsx": {"query": ["dot", "ca-da-nop"]},
    "export_consolidated_docx": {"query": ["dot", "ca-da-nop"], "examples": 3},
    "export_consolidated_pdf": {"query": ["dot", "ca-da-nop"], "examples": 3},
    "export_xlsx": {"query": ["ban-nhap"]},
    "export_pdf": {"query": ["ban-nhap"], "examples": 3},
    "export_docx": {"query": ["ban-nhap"], "examples": 3},
    "report_print_preview": {},
    "sealed_copy_download": {"examples": 3},
    "xlsx_template": {},
    "xlsx_import": {"form": ["file", "token"]},
    # Asked as Excel, as in the permission matrix: a PDF takes seconds, and
    # the format is picked after every check.
    "export_blank_form": {"query": ["dot", "mau"], "fixed": {"dinh-dang": "xlsx"}},
}
EXAMPLES = 6


# --- Values ----------------------------------------------------------------------

NUMBERISH = st.sampled_from(
    ["0", "-1", "-99999999999", "9" * 23, "1.5", "1e400", "Infinity", "-inf"]
    + ["NaN", "0x10", "١٢", "1_000", " 7 ", "07", ""]
)
TEXTISH = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["\x00", "a\x00b", "\v\x1b", "\u200b\ufeff", "T\u0302an", "<script>x</script>"]
        + ["x" * 100_000, "%", "../../etc/passwd", "submitted", "approve", "return"]
        + ["section:I.1", "table:1.2", "section:I.1:text", "1:1", "12:99999999999"]
    ),
)
JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text()),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner),
    max_leaves=8,
).map(json.dumps)
VALUES = st.one_of(NUMBERISH, TEXTISH, JSONISH)
PATH_VALUES = st.sampled_from(["0", "9" * 23, "99999999", "-1", "1.5", "x", "%00"])


# The roles that reach deepest into the district's objects: its staff, the
# province's reviewer above it, the administrator.
DEEP_ROLES = ["district_staff", "province_reviewer", "admin"]
# Each parameter alone with each of these, sent by the deep role the view lets
# through (before the drawn examples): the values that broke something once.
# A POST alternates a form body and a JSON one (where 1e400 is a number).
WORST = ["9" * 23, "1e400", "9" * 23 + ":1", "a\x00b"]


@st.composite
def requests(draw, name):
    entry = SWEEP[name]
    role = draw(st.sampled_from(DEEP_ROLES) | st.sampled_from(sorted(ROLES)))
    methods = sorted({e.method for e in _entries(name)} | {"get", "post"})
    method = draw(st.sampled_from(methods))
    real_path = draw(st.booleans())
    path_value = None if real_path else draw(PATH_VALUES)
    params = {}
    keys = entry.get("query" if method == "get" else "form", [])
    for key in keys:
        if draw(st.booleans()):
            params[key] = draw(st.one_of(VALUES, st.lists(VALUES, max_size=3)))
    body = draw(
        st.sampled_from(["form", "form", "json", "bytes", "empty", "fields", "huge"])
        if method == "post"
        else st.just("form")
    )
    return role, method, path_value, params, body


def _deepest_role(entry):
    """The first of DEEP_ROLES that the gate lets through on the district's
    objects (the matrix expects no 401/403/404/405, login or refusal)."""
    for role in DEEP_ROLES:
        want = entry.expect[role]
        own = want[0] if isinstance(want, tuple) else want
        if own not in (401, 403, 404, 405, LOGIN) and not isinstance(own, Refused):
            return role
    return DEEP_ROLES[-1]


def _entries(name):
    entry = MATRIX[name]
    return entry if isinstance(entry, tuple) else (entry,)


# --- Sending ---------------------------------------------------------------------


def _path(name, ctx, path_value):
    unit = Unit.objects.get(code=UNIT)
    kwargs = _entries(name)[0].kwargs
    real = {key: ctx.get(kind, unit).pk for key, kind in kwargs.items()}
    if path_value is None or not real:
        return reverse(name, kwargs=real), real
    marked = {key: 987654321 for key in real}
    return reverse(name, kwargs=marked).replace("987654321", quote(path_value)), real


def _send(client, method, url, params, body, ctx_pks):
    params = {
        key.format(comment=ctx_pks.get("comment", 0)): value
        for key, value in params.items()
    }
    if method == "get":
        return client.get(url + ("?" + urlencode(params, doseq=True) if params else ""))
    if body == "json":
        # Numbers as JSON numbers (1e400 and Infinity become floats), nested
        # JSON as structures.
        document = {key: _as_json(value) for key, value in params.items()}
        return client.post(url, json.dumps(document), content_type="application/json")
    if body == "bytes":
        raw = b"\xff\xfe\x00" + urlencode(params, doseq=True).encode()[:500]
        return client.post(url, raw, content_type="application/x-www-form-urlencoded")
    if body == "empty":
        return client.generic("POST", url, b"", content_type="text/plain")
    if body == "fields":
        many = "&".join(f"f{i}=1" for i in range(1500))
        return client.post(url, many, content_type="application/x-www-form-urlencoded")
    if body == "huge":
        return client.generic(
            "POST",
            url,
            b"x",
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH=str(2 * 1024**3),
        )
    return client.post(url, params)


def _as_json(value):
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    try:
        return json.loads(value)
    except ValueError:
        return value


# --- Tests -----------------------------------------------------------------------


def test_every_url_has_a_sweep_entry():
    names = url_names()
    missing = [name for name in names if name not in SWEEP]
    assert not missing, (
        "URLs without an entry in tests/test_robustness_sweep.py SWEEP (name the "
        f"parameters the view reads): {', '.join(missing)}"
    )
    stale = [name for name in SWEEP if name not in names]
    assert not stale, f"SWEEP entries for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_hostile_requests_never_answer_500_and_refusals_change_nothing(demo, name):
    ctx = Context(round=demo)
    clients = {}

    def check(role, method, path_value, params, body):
        if role not in clients:
            clients[role] = Client(raise_request_exception=False)
            _login(clients[role], role)
        url, _real = _path(name, ctx, path_value)
        pks = {"comment": ctx.cache.get(("comment", UNIT), None)}
        pks = {k: v.pk for k, v in pks.items() if v is not None}
        before = _state()
        params = {**SWEEP[name].get("fixed", {}), **params}
        response = _send(clients[role], method, url, params, body, pks)
        where = f"{method.upper()} {url} as {role}, body {body}, {params!r:.300}"
        if response.status_code >= 500:
            error = getattr(response, "exc_info", None)
            pytest.fail(f"{response.status_code} for {where}: {error and error[1]!r}")
        if 400 <= response.status_code < 500:
            assert _state() == before, f"a refused request changed data: {where}"

    for entry in _entries(name):
        keys = SWEEP[name].get("query" if entry.method == "get" else "form", [])
        role = _deepest_role(entry)
        for key in keys:
            for i, value in enumerate(WORST):
                body = "json" if entry.method == "post" and i % 2 else "form"
                check(role, entry.method, None, {key: value}, body)

    @settings(
        max_examples=SWEEP[name].get("examples", EXAMPLES),
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
        ],
    )
    @given(requests(name))
    def sweep(request):
        check(*request)

    sweep()
