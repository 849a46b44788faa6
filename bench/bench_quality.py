"""Data quality: evaluating every rule and outlier of a full district report."""

from django.contrib.auth import get_user_model
from django.db import transaction

from reports import workflow
from reports.drafts import start_report
from reports.models import Membership, Role, Round, Unit
from reports.quality import check
from tests.factories import fill_report

from .harness import Result, count_queries, median_seconds


def run(ctx):
    # Everything made here is rolled back: the bench database stays as seeded.
    with transaction.atomic():
        results = _measure()
        transaction.set_rollback(True)
    return results


def _staff(unit):
    user = get_user_model().objects.create_user(username=f"bench-quality-{unit.code}")
    Membership.objects.create(user=user, unit=unit, role=Role.STAFF)
    return user


def _measure():
    round_ = Round.objects.get(code="so-ket-2016-2020")
    province = Unit.objects.get(code="72")
    districts = list(province.children.exclude(unit_type="to_chuc").order_by("code"))
    # The peers: every other district of the province has submitted.
    for seed, unit in enumerate(districts[1:], start=2):
        report = start_report(unit, round_)
        if report.is_editable:
            staff = _staff(unit)
            fill_report(report, staff, seed=seed, scan=True)
            workflow.submit_report(report, actor=staff)
    report = start_report(districts[0], round_)
    fill_report(report, _staff(districts[0]), seed=40, scan=False)
    flags = check.draft_flags(report)
    assert any(f.kind == "outlier" for f in flags), "the bench data has outliers"
    seconds = median_seconds(lambda: check.draft_flags(report), repeat=21)
    queries = count_queries(lambda: check.draft_flags(report))
    return [
        Result(
            "quality: every rule and outlier of a full district report",
            seconds * 1000,
            10,
            "ms",
        ),
        Result("quality: queries to flag a district report", queries, 8),
    ]
