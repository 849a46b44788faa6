"""The consolidation page on national-scale data, as a reviewer opens it.

A reviewer of the national root opens /tong-hop/ for the smallest province, the
largest one and the whole country (63 provinces). Targets: the same number of
queries for all three (a fixed number, whatever the number of children), and a
median server time of at most 150 ms for the country. The province and the
country are timed side by side (in turns), so a busy machine slows both alike;
the CPU time of the country page is printed too (SQLite runs in this process,
so it is what the page itself costs on a shared machine).

The earlier target, "within 3× of one raw SQL aggregate", is withdrawn (issue
10): it measured a millisecond and cost a hand-built loader.
"""

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from bench.harness import (
    Result,
    count_queries,
    median_cpu_seconds,
    median_seconds_side_by_side,
)
from reports.consolidation import consolidate
from reports.management.commands.seed_scale import ROOT_CODE
from reports.models import Membership, Role, Round, Unit

TIME_BOUND_MS = 150


def _provinces_by_size(root):
    provinces = list(
        Unit.objects.filter(parent=root)
        .annotate(n=Count("children"))
        .order_by("n", "code")
    )
    return provinces[0], provinces[-1]


def _reviewer_client(unit):
    user = get_user_model().objects.create_user(username=f"bench.tonghop.{unit.code}")
    Membership.objects.create(user=user, unit=unit, role=Role.REVIEWER)
    # bench/run turns DEBUG off, so the test host name is not allowed.
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def run(ctx):
    # The data were just bulk-loaded: give the planner the statistics a live
    # database has.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # The reviewer made here is rolled back: the bench database stays as seeded.
    with transaction.atomic():
        results = _measure()
        transaction.set_rollback(True)
    return results


def _measure():
    round_ = Round.objects.get(code="so-ket-2016-2020")
    root = Unit.objects.get(code=ROOT_CODE)
    small, large = _provinces_by_size(root)
    client = _reviewer_client(root)
    pages = {
        unit.code: reverse("consolidation", args=[unit.pk])
        for unit in (small, large, root)
    }
    for url in pages.values():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert "Tổng cộng" in response.content.decode()
    queries = {
        code: count_queries(lambda u=url: client.get(u)) for code, url in pages.items()
    }
    q_consolidate = count_queries(lambda: consolidate(root, round_))
    n_provinces = Unit.objects.filter(parent=root).count()
    print(
        f"  page queries: province {small.code} ({small.n} districts) "
        f"{queries[small.code]}, province {large.code} ({large.n} districts) "
        f"{queries[large.code]}, whole country ({n_provinces} provinces) "
        f"{queries[root.code]}; consolidate() alone {q_consolidate}",
        flush=True,
    )
    province_s, country_s = median_seconds_side_by_side(
        lambda: client.get(pages[large.code]),
        lambda: client.get(pages[root.code]),
        repeat=21,
    )
    country_cpu = median_cpu_seconds(lambda: client.get(pages[root.code]))
    # Where the page's time goes: the consolidation itself, the rest is the
    # template printing every cell.
    consolidate_cpu = median_cpu_seconds(lambda: consolidate(root, round_))
    print(
        f"  whole country: consolidate() {consolidate_cpu * 1000:.1f} ms CPU of "
        f"the page's {country_cpu * 1000:.1f} ms CPU",
        flush=True,
    )
    return [
        Result(
            "consolidation page queries, whole country = one province",
            queries[root.code],
            queries[large.code],
        ),
        Result(
            "consolidation page queries, small vs large province (difference)",
            abs(queries[large.code] - queries[small.code]),
            0,
        ),
        Result(
            "consolidation page median server time, one province",
            province_s * 1000,
            TIME_BOUND_MS,
            " ms",
        ),
        Result(
            "consolidation page median server time, whole country",
            country_s * 1000,
            TIME_BOUND_MS,
            " ms",
        ),
        Result(
            "consolidation page median CPU time, whole country",
            country_cpu * 1000,
            TIME_BOUND_MS,
            " ms",
        ),
    ]
