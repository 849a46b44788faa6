"""Consolidation speed: fixed query count, and time within 3× of one raw aggregate.

The baseline is one hand-written SQL ``GROUP BY`` over exactly the cells the
consolidation reads (the approved versions of the parent's active children):
per child unit and column, the sum of the numbers and the count of "có".
"""

from django.db import connection
from django.db.models import Count

from bench.harness import Result, count_queries, median_seconds_side_by_side
from reports.consolidation import clear_template_cache, consolidate
from reports.management.commands.seed_scale import ROOT_CODE
from reports.models import Report, Round, Unit, VersionCell

RATIO = 3.0


def raw_aggregate(parent, round_):
    cell = VersionCell._meta.db_table
    report = Report._meta.db_table
    unit = Unit._meta.db_table
    sql = f"""
        SELECT r.unit_id, c.column_id, SUM(c.num),
               SUM(CASE WHEN c.flag THEN 1 ELSE 0 END)
        FROM {cell} c
        JOIN {report} r ON r.approved_version_id = c.version_id
        WHERE r.round_id = %s
          AND r.unit_id IN (SELECT id FROM {unit} WHERE parent_id = %s AND is_active)
        GROUP BY r.unit_id, c.column_id
    """  # noqa: S608 (table names from the models, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [round_.pk, parent.pk])
        return cursor.fetchall()


def _provinces_by_size(root):
    provinces = list(
        Unit.objects.filter(parent=root)
        .annotate(n=Count("children"))
        .order_by("n", "code")
    )
    return provinces[0], provinces[-1]


def _timing(name, parent, round_):
    rows = raw_aggregate(parent, round_)
    assert rows, f"no cells below {parent}"
    consolidated, raw = median_seconds_side_by_side(
        lambda: consolidate(parent, round_),
        lambda: raw_aggregate(parent, round_),
        repeat=31,
    )
    print(
        f"  {name}: consolidate {consolidated * 1000:.1f} ms, "
        f"raw aggregate {raw * 1000:.1f} ms ({len(rows)} groups)",
        flush=True,
    )
    return Result(
        f"consolidation {name} time / raw SQL aggregate", consolidated / raw, RATIO, "×"
    )


def run(ctx):
    # The data were just bulk-loaded: give the planner the statistics a live
    # database has (both sides of the comparison profit alike).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    round_ = Round.objects.get(code="so-ket-2016-2020")
    root = Unit.objects.get(code=ROOT_CODE)
    small, large = _provinces_by_size(root)
    # The tables and columns of frozen templates are read once per process;
    # count both the first consolidation (cache cleared) and the following ones.
    cold = {}
    for parent in (small, large, root):
        clear_template_cache()
        cold[parent.code] = count_queries(lambda p=parent: consolidate(p, round_))
    for parent in (small, large, root):
        consolidate(parent, round_)
    q_small = count_queries(lambda: consolidate(small, round_))
    q_large = count_queries(lambda: consolidate(large, round_))
    q_root = count_queries(lambda: consolidate(root, round_))
    print(
        f"  queries: province {small.code} ({small.n} districts) {q_small}, "
        f"province {large.code} ({large.n} districts) {q_large}, "
        f"national ({Unit.objects.filter(parent=root).count()} provinces) {q_root}; "
        f"first time (templates not cached yet): {cold}",
        flush=True,
    )
    return [
        Result("consolidation queries, one province", q_large, 2),
        Result("consolidation queries, whole country", q_root, 2),
        Result(
            "consolidation queries, small vs large province (difference)",
            abs(q_large - q_small),
            0,
        ),
        Result(
            "consolidation queries, first time (templates read)", max(cold.values()), 4
        ),
        Result(
            "consolidation queries, first time, small vs large province (difference)",
            abs(cold[large.code] - cold[small.code]),
            0,
        ),
        _timing("one province", large, round_),
        _timing("whole country", root, round_),
    ]
