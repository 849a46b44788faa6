"""The report editor: queries of the page for a full district report, whatever
the size of its tables (at most 15), and the median server time of one
autosave of a part (at most 20 ms), as issue 10 sets them."""

import json
import statistics
import time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse

from reports.drafts import start_report
from reports.models import DraftPart, Membership, Role, Round, TableColumn, Unit
from reports.outline import copy_template
from tests.factories import fill_report

from .harness import Result, count_queries

EXTRA_COLUMNS = 40
PAGE_QUERY_BOUND = 15
AUTOSAVE_BOUND_MS = 20


def run(ctx):
    results = []
    # Everything made here is rolled back: the bench database stays as seeded.
    with transaction.atomic():
        results = _measure()
        transaction.set_rollback(True)
    return results


def _client_for(unit):
    user = get_user_model().objects.create_user(username=f"bench-editor-{unit.code}")
    Membership.objects.create(user=user, unit=unit, role=Role.STAFF)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client, user


def _editor_queries(unit, round_):
    client, user = _client_for(unit)
    report = start_report(unit, round_)
    fill_report(report, user, scan=False)
    url = reverse("report_edit", args=[report.pk])
    assert client.get(url).status_code == 200
    return count_queries(lambda: client.get(url)), report, client


def _measure():
    round_ = Round.objects.get(code="so-ket-2016-2020")
    districts = list(
        Unit.objects.filter(unit_type="huyen", code__regex=r"^\d+$").order_by("code")
    )
    queries, report, client = _editor_queries(districts[0], round_)

    # A new version of the template with many more columns: same query count.
    wider = copy_template(report.template)
    for table in wider.tables.filter(source="entered"):
        for i in range(EXTRA_COLUMNS):
            TableColumn.objects.create(
                table=table,
                code=f"bench-{i}",
                order=1000 + i,
                label=f"Cột thêm {i}",
                col_type="integer",
            )
    wide_queries, _report, _client = _editor_queries(districts[1], round_)

    url = reverse("report_autosave", args=[report.pk])
    times = []
    for revision in range(21):
        body = json.dumps(
            {
                "part": "section:II.1.1",
                "base_revision": revision,
                "fields": {"text": f"Lần lưu {revision}. " * 40, "shortcomings": "x"},
            }
        )
        start = time.perf_counter()
        response = client.post(url, body, content_type="application/json")
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content
    autosave_ms = statistics.median(times[1:]) * 1000
    table_ms = _table_autosave_ms(client, report)

    return [
        Result("editor_page_queries", queries, PAGE_QUERY_BOUND),
        Result(
            f"editor_page_queries_with_{EXTRA_COLUMNS}_more_columns_per_table",
            wide_queries,
            queries,
        ),
        Result("editor_autosave_section_median", autosave_ms, AUTOSAVE_BOUND_MS, " ms"),
        Result("editor_autosave_table_median", table_ms, AUTOSAVE_BOUND_MS, " ms"),
    ]


def _table_autosave_ms(client, report):
    """A Biểu of figures saved with every number changed (percentages
    recomputed), 21 times in a row."""
    table = report.template.tables.get(code="1.3")
    codes = list(
        table.columns.filter(col_type__in=["integer", "money", "area"]).values_list(
            "code", flat=True
        )
    )
    url = reverse("report_autosave", args=[report.pk])
    key = f"table:{table.code}"
    part = DraftPart.objects.filter(report=report, key=key).first()
    base = part.revision if part else 0
    times = []
    for i in range(21):
        fields = {f"c.{code}": str(100 + i + n) for n, code in enumerate(codes)}
        body = json.dumps({"part": key, "base_revision": base + i, "fields": fields})
        start = time.perf_counter()
        response = client.post(url, body, content_type="application/json")
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content
    return statistics.median(times[1:]) * 1000
