"""SQLite, the default database, under parallel writers: they wait, none fails.

The test database of the suite (SQLite in memory, or PostgreSQL) cannot show
this: it needs several gunicorn worker processes writing one SQLite file, as in
a small production. So this module makes its own file database in a temporary
folder and serves it with gunicorn on a loopback port.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from tests.servers import Browser, gunicorn, prepare_database, run_python, server_env

PARTS = 13
SUBMITS = 10

SETUP = """
import json
from django.contrib.auth import get_user_model
from reports.models import Round, Unit
from tests.factories import create_report, fill_report
report = create_report(Round.objects.get(code="so-ket-2016-2020"), Unit.objects.get(code="705"))
fill_report(report, get_user_model().objects.get(username="tanbien"))
codes = [s.code for s in report.template.sections.order_by("order", "pk") if s.takes_answer]
print(json.dumps({"pk": report.pk, "codes": codes}))
"""  # noqa: E501

STATE = """
import json
from reports.models import Answer, DraftPart, Report, ReportVersion
pk = %d
print(json.dumps({
    "status": Report.objects.get(pk=pk).status,
    "versions": ReportVersion.objects.filter(report_id=pk).count(),
    "texts": dict(
        Answer.objects.filter(report_id=pk).values_list("section__code", "text")
    ),
}))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite-waits")
    env = server_env(f"sqlite:///{folder / 'db.sqlite3'}", folder / "media")
    prepare_database(env)
    made = run_python(env, SETUP)
    with gunicorn(env, workers=3, threads=5, log_path=folder / "gunicorn.log") as port:
        browser = Browser(port)
        browser.login("tanbien")
        yield env, port, browser.jar, made


def in_parallel(count, work):
    barrier = Barrier(count)

    def run(i):
        barrier.wait(timeout=30)
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_parallel_autosaves_of_different_parts_all_land(server):
    env, port, jar, made = server
    codes = made["codes"][:PARTS]
    assert len(codes) == PARTS
    url = f"/bao-cao/{made['pk']}/luu/"

    def save(i):
        status, _headers, body = Browser(port, jar).post_json(
            url,
            {
                "part": f"section:{codes[i]}",
                "base_revision": 0,
                "fields": {"text": f"Phần {i} lưu song song", "shortcomings": "-"},
            },
        )
        return status, body

    outcomes = in_parallel(PARTS, save)

    assert [status for status, _body in outcomes] == [200] * PARTS, outcomes
    texts = run_python(env, STATE % made["pk"])["texts"]
    for i, code in enumerate(codes):
        assert texts[code] == f"Phần {i} lưu song song"


def test_parallel_submits_give_one_success_and_already_submitted(server):
    env, port, jar, made = server
    url = f"/bao-cao/{made['pk']}/nop/"

    def submit(i):
        browser = Browser(port, jar)
        status, headers, body = browser.post(url, {"expected_status": "draft"})
        if status == 302:
            status, _headers, body = browser.get(headers["Location"])
        return status, body.decode()

    outcomes = in_parallel(SUBMITS, submit)

    assert [status for status, _page in outcomes] == [200] * SUBMITS, [
        (status, re.sub(r"\s+", " ", page)[:300]) for status, page in outcomes
    ]
    pages = [page for _status, page in outcomes]
    assert sum("Đã nộp báo cáo lúc" in page for page in pages) == 1
    assert sum("Báo cáo đã được nộp lúc" in page for page in pages) == SUBMITS - 1
    state = run_python(env, STATE % made["pk"])
    assert state["status"] == "submitted" and state["versions"] == 1
