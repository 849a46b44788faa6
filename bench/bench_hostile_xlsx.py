"""Excel import of a hostile file: a small workbook holding 1.5 million tiny
cells (it passes every zip check) must be refused in at most 1 s with at most
50 MB of extra memory (issue 14: it took 10–17 s and 700 MB)."""

import time
import tracemalloc

from django.contrib.auth import get_user_model

from reports.drafts import start_report
from reports.exports import roundtrip
from reports.models import Report, Round, Unit
from tests.factories import fill_report
from tests.test_xlsx_roundtrip import hostile_workbook

from .harness import Result

SECONDS_BOUND = 1.0
MEGABYTES_BOUND = 50.0


def _refuse(report, content):
    try:
        roundtrip.parse_upload(report, content)
    except roundtrip.ImportRejected:
        return
    raise AssertionError("the hostile file was not refused")


def run(ctx):
    round_ = Round.objects.get(code="so-ket-2016-2020")
    district = Unit.objects.get(code="705")
    made = not Report.objects.filter(unit=district, round=round_).exists()
    report = start_report(district, round_)
    try:
        if made:
            staff = get_user_model().objects.get(username="tanbien")
            fill_report(report, staff, scan=False)
        content = hostile_workbook(report)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            _refuse(report, content)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        try:
            _refuse(report, content)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        if made:
            report.delete()
    return [
        Result(
            f"hostile xlsx ({len(content) // 1024} KB, 1.5 M cells): refused in",
            min(times),
            SECONDS_BOUND,
            " s",
        ),
        Result(
            "hostile xlsx: extra memory", peak / 1024 / 1024, MEGABYTES_BOUND, " MB"
        ),
    ]
