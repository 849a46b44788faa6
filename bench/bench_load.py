"""A bounded load run: the main pages and autosaves under gunicorn on 127.0.0.1,
logged in as demo users, driven by a small thread-pool client (8 parallel
clients mixing reads and autosaves of the district's parts); figures go to
bench/results/load-<database>.txt.

Bounded three ways: a fixed number of requests, a time limit, and loopback only.
The server is stopped (and the report made for it deleted) whatever happens.
"""

import json
import os
import queue
import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from reports.drafts import start_report
from reports.management.commands.seed_demo import DEMO_PASSWORD
from reports.models import Report, Round, Unit
from tests.factories import fill_report
from tests.servers import HOST, gunicorn

from .harness import Result

WORKERS = 2
CONCURRENCY = 8
REQUESTS_PER_PAGE = 100
SMALL_REQUESTS_PER_PAGE = 15
TIME_LIMIT = 120.0
REQUEST_TIMEOUT = 30.0
# Issue 14: every main page (and an autosave) within 150 ms at the 95th
# percentile under eight parallel clients, with 0 errors, on PostgreSQL; the
# same run on SQLite with 0 errors.
P95_BOUND_MS = 150.0
STAFF, REVIEWER = "tanbien", "tinh.pttg"
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def run(ctx):
    round_ = Round.objects.get(code="so-ket-2016-2020")
    district = Unit.objects.get(code="705")
    made = not Report.objects.filter(unit=district, round=round_).exists()
    report = start_report(district, round_)
    if made:
        fill_report(report, get_user_model().objects.get(username=STAFF), scan=False)
    pages = [
        ("home", STAFF, reverse("home")),
        ("my_reports", STAFF, reverse("my_reports")),
        ("report_edit", STAFF, reverse("report_edit", args=[report.pk])),
        ("report_detail", STAFF, reverse("report_detail", args=[report.pk])),
        ("review_list", REVIEWER, reverse("review_list")),
        ("unit_list", REVIEWER, reverse("unit_list")),
        ("autosave", STAFF, reverse("report_autosave", args=[report.pk])),
    ]
    parts = queue.Queue()
    for section in report.template.sections.order_by("order", "pk"):
        if section.takes_answer:
            # One part is never saved by two clients at once (that is a
            # conflict, 409, by design); its revision goes with it.
            parts.put([f"section:{section.code}", _revision(report, section)])
    per_page = SMALL_REQUESTS_PER_PAGE if ctx.get("small") else REQUESTS_PER_PAGE
    # The server must see the report: commit before it starts (bench/run runs
    # in autocommit mode, so it already is).
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "DJANGO_SETTINGS_MODULE": "sokket.settings",
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    log_path = RESULTS_DIR / "load-server.log.tmp"
    try:
        with gunicorn(env, workers=WORKERS, log_path=log_path) as port:
            cookies = {user: _login(port, user) for user in (STAFF, REVIEWER)}
            figures = _drive(port, pages, cookies, per_page, parts)
    finally:
        if made:
            report.delete()
    _write(figures, per_page)
    total = figures["total"]
    vendor = connection.vendor
    results = [
        Result(f"load ({vendor}): errors", total["errors"], 0, ""),
        Result(
            f"load ({vendor}): requests answered",
            total["requests"],
            per_page * len(pages),
            "",
            kind="min",
        ),
    ]
    for name, row in figures["pages"].items():
        results.append(
            Result(f"load ({vendor}): p95 {name}", row["p95"], P95_BOUND_MS, " ms")
        )
    return results


def _revision(report, section):
    from reports.models import DraftPart

    part = DraftPart.objects.filter(report=report, key=f"section:{section.code}")
    return part.values_list("revision", flat=True).first() or 0


def _request(port, method, path, headers=None, body=None):
    conn = HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def _get(port, path, cookie=""):
    return _request(port, "GET", path, {"Cookie": cookie} if cookie else {})


def _cookies(headers, jar):
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return "; ".join(f"{k}={m.value}" for k, m in jar.items())


def _login(port, username):
    """The session cookie of ``username``, logged in through the login form."""
    jar = SimpleCookie()
    status, headers, body = _get(port, reverse("login"))
    cookie = _cookies(headers, jar)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    status, headers, _body = _request(
        port,
        "POST",
        reverse("login"),
        {
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        urlencode(
            {
                "username": username,
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": token.group(1).decode(),
            }
        ),
    )
    cookie = _cookies(headers, jar)
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login as {username} failed ({status})")
    return cookie


def _autosave(port, path, cookie, parts):
    part = parts.get(timeout=REQUEST_TIMEOUT)
    key, revision = part
    token = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    body = json.dumps(
        {
            "part": key,
            "base_revision": revision,
            "fields": {"text": f"Bản lưu {revision + 1}", "shortcomings": "-"},
        }
    )
    try:
        status, _headers, content = _request(
            port,
            "POST",
            path,
            {
                "Cookie": cookie,
                "Content-Type": "application/json",
                "X-CSRFToken": token,
                "Referer": f"http://{HOST}:{port}/",
            },
            body,
        )
        if status == 200:
            part[1] = json.loads(content)["revision"]
        return status
    finally:
        parts.put(part)


def _drive(port, pages, cookies, per_page, parts):
    tasks = [page for _ in range(per_page) for page in pages]
    deadline = time.monotonic() + TIME_LIMIT

    def hit(page):
        name, user, path = page
        if time.monotonic() > deadline:
            return name, None, "time limit"
        start = time.perf_counter()
        try:
            if name == "autosave":
                status = _autosave(port, path, cookies[user], parts)
            else:
                status, _headers, _body = _get(port, path, cookies[user])
        except OSError as exc:
            return name, time.perf_counter() - start, type(exc).__name__
        elapsed = time.perf_counter() - start
        return name, elapsed, None if status == 200 else f"HTTP {status}"

    for page in pages:  # warm-up: each worker imports and compiles templates
        for _ in range(WORKERS):
            hit(page)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        outcomes = list(pool.map(hit, tasks))
    duration = time.perf_counter() - start
    rows = {}
    for name, _user, _path in pages:
        mine = [o for o in outcomes if o[0] == name]
        times = sorted(t * 1000 for _n, t, err in mine if t is not None and not err)
        rows[name] = {
            "requests": sum(1 for _n, t, _e in mine if t is not None),
            "errors": sum(1 for _n, _t, err in mine if err),
            "median": statistics.median(times) if times else float("inf"),
            "p95": _percentile(times, 95),
        }
    answered = sum(r["requests"] for r in rows.values())
    return {
        "pages": rows,
        "total": {
            "requests": answered,
            "errors": sum(r["errors"] for r in rows.values()),
            "seconds": duration,
            "throughput": answered / duration if duration else 0.0,
        },
    }


def _percentile(sorted_values, pct):
    if not sorted_values:
        return float("inf")
    index = max(0, round(pct / 100 * len(sorted_values) + 0.5) - 1)
    return sorted_values[min(index, len(sorted_values) - 1)]


def _write(figures, per_page):
    total = figures["total"]
    lines = [
        "# Load run (bench/bench_load.py): latest figures",
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"database {connection.vendor}, gunicorn {WORKERS} sync workers on {HOST}, "
        f"{CONCURRENCY} parallel clients, {per_page} requests per page, "
        f"{os.cpu_count()} CPU cores (shared)",
        "",
        f"{'page':<15}{'requests':>9}{'errors':>8}{'median ms':>11}{'p95 ms':>9}",
    ]
    for name, row in figures["pages"].items():
        lines.append(
            f"{name:<15}{row['requests']:>9}{row['errors']:>8}"
            f"{row['median']:>11.0f}{row['p95']:>9.0f}"
        )
    lines += [
        "",
        f"total requests: {total['requests']}",
        f"errors: {total['errors']}",
        f"duration: {total['seconds']:.1f} s",
        f"throughput: {total['throughput']:.1f} requests/s",
        f"p95 bound per page: {P95_BOUND_MS:.0f} ms",
    ]
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"load-{connection.vendor}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
