"""Excel import of a fully filled district template: at most 0.5 s (median).

A district's draft is filled, its template downloaded, then every figure of the
draft changed, so that reading the file back changes every cell: the import
(check the file and every cell, then save them) is timed, as a person waits for
the preview and the confirmation. Made in a transaction that is rolled back.
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.db import transaction

from bench.harness import Result
from reports.drafts import start_report
from reports.exports import roundtrip
from reports.models import Round, Unit
from tests.factories import fill_report

TIME_BOUND_S = 0.5
REPEAT = 7


def run(ctx):
    with transaction.atomic():
        results = _measure()
        transaction.set_rollback(True)
    return results


def _import(report, content, user):
    """Today's import: read and check the upload, then save what it changes."""
    parsed = roundtrip.parse_upload(report, content)
    assert not parsed.errors, parsed.errors
    return roundtrip.apply_pending(
        report, roundtrip.to_pending(parsed, report), actor=user
    )


def _measure():
    round_ = Round.objects.get(code="so-ket-2016-2020")
    district = (
        Unit.objects.filter(unit_type="huyen", code__regex=r"^\d+$")
        .order_by("code")
        .first()
    )
    user = get_user_model().objects.create_user(username="bench-import")
    report = start_report(district, round_)
    fill_report(report, user, seed=1, scan=False)
    content, _name = roundtrip.build_template(report)
    times = []
    for _ in range(REPEAT):
        # The draft now differs from the file in every cell (not timed).
        fill_report(report, user, seed=2, models=0, scan=False)
        report.refresh_from_db(fields=["revision"])
        start = time.perf_counter()
        saved = _import(report, content, user)
        times.append(time.perf_counter() - start)
    print(f"  import: {saved} cells saved per import", flush=True)
    return [
        Result(
            "excel import of a fully filled district template, median",
            statistics.median(times),
            TIME_BOUND_S,
            " s",
        )
    ]
