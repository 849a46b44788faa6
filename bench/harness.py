"""Benchmark helpers: medians of repeated runs, query counts, result lines.

Every benchmark module ``bench/bench_*.py`` defines ``run(ctx) -> list[Result]``.
Targets are ratios against a baseline measured in the same run, or fixed bounds
(query counts, milliseconds) where the issue names one.
"""

import statistics
import time
from dataclasses import dataclass

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext


@dataclass
class Result:
    name: str
    measured: float
    target: float
    unit: str = ""
    # "max": measured must be <= target; "min": measured must be >= target.
    kind: str = "max"

    @property
    def ok(self):
        return (
            self.measured <= self.target
            if self.kind == "max"
            else (self.measured >= self.target)
        )

    def line(self):
        sign = "≤" if self.kind == "max" else "≥"
        status = "ok" if self.ok else "FAIL"
        return (
            f"{self.name}: {self.measured:.3g}{self.unit} "
            f"({sign} {self.target:g}{self.unit}) {status}"
        )


def median_seconds(fn, *, repeat=7, warmup=1, clock=time.perf_counter):
    """Median time of ``fn()`` over ``repeat`` runs after ``warmup`` runs (wall
    time, unless another ``clock`` is given)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times)


def median_seconds_side_by_side(*fns, repeat=21, warmup=1):
    """Median wall time of each of ``fns``, run in turns (a, b, a, b, ...) so
    that a busy machine slows all of them alike."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    times = [[] for _ in fns]
    for _ in range(repeat):
        for fn, spent in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) for spent in times]


def median_cpu_seconds(fn, *, repeat=7, warmup=1):
    """Median CPU time of this process for ``fn()``: steady on a busy machine,
    and the whole cost of a request where SQLite runs in the process."""
    return median_seconds(fn, repeat=repeat, warmup=warmup, clock=time.process_time)


def count_queries(fn):
    """Number of SQL queries ``fn()`` runs."""
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)
