"""Two app nodes on one PostgreSQL: a season driven alternately through both.

Two gunicorn instances on different loopback ports share one PostgreSQL
database (made for this test and dropped after it) and one MEDIA_ROOT, as N
stateless nodes behind a load balancer would. People log in on one node and go
on through the other; every answer is checked, every write read back, and the
exports of both nodes compared. Skipped unless DATABASE_URL is PostgreSQL.
"""

import io
import json
import os
import re
import uuid
from urllib.parse import urlsplit, urlunsplit

import environ
import openpyxl
import pytest

from tests.servers import Browser, gunicorn, prepare_database, run_python, server_env

DATABASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")),
    reason="two app nodes share a PostgreSQL database (set DATABASE_URL)",
)

SETUP = """
import json
from django.contrib.auth import get_user_model
from reports.models import Round, Unit
from tests.factories import fill_report
from reports.drafts import start_report
round_ = Round.objects.get(code="so-ket-2016-2020")
out = {"units": {}}
for code, staff in [("705", "tanbien"), ("25489", "xa.tanlap")]:
    unit = Unit.objects.get(code=code)
    report = start_report(unit, round_)
    # Tables, models and the signed scan; the texts are typed below.
    fill_report(report, get_user_model().objects.get(username=staff))
    out["units"][code] = {
        "unit_pk": unit.pk,
        "report": report.pk,
        "attachment": report.attachments.first().pk,
        "sections": [
            s.code for s in report.template.sections.order_by("order", "pk")
            if s.takes_answer
        ],
    }
print(json.dumps(out))
"""

STATE = """
import json
from reports.models import Answer, Report
out = {}
for pk in %r:
    report = Report.objects.get(pk=pk)
    out[pk] = {
        "status": report.status,
        "texts": dict(
            Answer.objects.filter(report=report).values_list("section__code", "text")
        ),
    }
print(json.dumps(out))
"""


def _admin_url(url, dbname):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


@pytest.fixture(scope="module")
def database():
    """A PostgreSQL database of its own, dropped afterwards."""
    import psycopg2

    name = f"sokket_two_nodes_{uuid.uuid4().hex[:8]}"
    config = environ.Env.db_url_config(DATABASE_URL)
    connect = {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"],
        "password": config["PASSWORD"],
        "dbname": "postgres",
    }
    admin = psycopg2.connect(**connect)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _admin_url(DATABASE_URL, name)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="module")
def nodes(database, tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-nodes")
    env = server_env(database, folder / "media")
    prepare_database(env)
    made = run_python(env, SETUP)
    with (
        gunicorn(env, workers=2, log_path=folder / "node-a.log") as a,
        gunicorn(env, workers=2, log_path=folder / "node-b.log") as b,
    ):
        yield env, (a, b), made, folder


def _ok(answer, *allowed):
    status, headers, body = answer
    assert status in (allowed or (200,)), (status, body[:500])
    return answer


def _token(body):
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)


def _workbook_values(content):
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [[list(row) for row in ws.values] for ws in wb.worksheets]


def test_a_season_through_two_nodes_loses_nothing_and_exports_agree(nodes):
    env, (a, b), made, folder = nodes
    ports = [a, b]
    staff = {"705": Browser(a), "25489": Browser(b)}
    staff["705"].login("tanbien")
    staff["25489"].login("xa.tanlap")
    reviewers = {"705": Browser(b), "25489": Browser(a)}
    reviewers["705"].login("tinh.pttg")
    reviewers["25489"].login("tanbien.duyet")
    expected = {}

    # Sessions made on one node are valid on the other.
    for browser in [*staff.values(), *reviewers.values()]:
        for port in ports:
            _ok(browser.get("/", port=port))

    # Autosave every part, alternating nodes, each save from the last revision.
    for code, browser in staff.items():
        info = made["units"][code]
        url = f"/bao-cao/{info['report']}/luu/"
        for i, section in enumerate(info["sections"]):
            revision = 0
            for n in range(2):
                text = f"{code} mục {section}: bản {n}"
                _status, _h, body = _ok(
                    browser.post_json(
                        url,
                        {
                            "part": f"section:{section}",
                            "base_revision": revision,
                            "fields": {"text": text, "shortcomings": "Hạn chế."},
                        },
                        port=ports[(i + n) % 2],
                    )
                )
                revision = json.loads(body)["revision"]
            expected.setdefault(info["report"], {})[section] = text
        # The editor opened on either node shows the last text.
        for port in ports:
            page = _ok(browser.get(f"/bao-cao/{info['report']}/soan/", port=port))[2]
            assert text.encode() in page

    # Attachments written by one node are read by the other (shared media).
    for code, browser in staff.items():
        info = made["units"][code]
        bodies = {
            _ok(browser.get(f"/tep/{info['attachment']}/tai-ve/", port=port))[2]
            for port in ports
        }
        assert len(bodies) == 1 and bodies.pop().startswith(b"%PDF")

    # Submit on one node, approve on the other.
    for i, (code, browser) in enumerate(staff.items()):
        report = made["units"][code]["report"]
        status, headers, body = _ok(
            browser.post(
                f"/bao-cao/{report}/nop/",
                {"expected_status": "draft"},
                port=ports[i % 2],
            ),
            302,
            200,
        )
        assert status == 302, re.sub(rb"\s+", b" ", body)[:2000]
        reviewer = reviewers[code]
        page = _ok(reviewer.get(f"/tham-dinh/{report}/", port=ports[(i + 1) % 2]))[2]
        assert b"expected_version" in page
        _ok(
            reviewer.post(
                f"/tham-dinh/{report}/thao-tac/",
                {
                    "action": "approve",
                    "expected_status": "submitted",
                    "expected_version": "1",
                    "reason": "",
                },
                port=ports[i % 2],
            ),
            302,
        )

    # Nothing was lost: the database holds every last text, and both reports
    # are approved.
    state = run_python(env, STATE % list(expected))
    for report, texts in expected.items():
        assert state[str(report)]["status"] == "approved"
        for section, text in texts.items():
            assert state[str(report)]["texts"][section] == text

    # The exports agree, whichever node makes them.
    district = made["units"]["705"]["unit_pk"]
    for path in [
        f"/bao-cao/{made['units']['705']['report']}/xuat/excel/",
        f"/bao-cao/{made['units']['705']['report']}/xuat/pdf/",
    ]:
        bodies = [_ok(reviewers["705"].get(path, port=port))[2] for port in ports]
        assert bodies[0] == bodies[1], path
    path = f"/don-vi/{district}/tong-hop/excel/"
    consolidated = [_ok(reviewers["25489"].get(path, port=port))[2] for port in ports]
    assert _workbook_values(consolidated[0]) == _workbook_values(consolidated[1])

    # Both nodes stayed healthy.
    for log in ["node-a.log", "node-b.log"]:
        text = (folder / log).read_text()
        assert "Traceback" not in text and "Internal Server Error" not in text, text
