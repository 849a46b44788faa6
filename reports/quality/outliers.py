"""Figures far from their peers: outside the interquartile fence of the same column
across the other units under the same parent that submitted the same template.

An outlier is "cần kiểm tra lại": it asks for an explanation, it never blocks.
"""

from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from .. import cells as cell_contract
from ..models import ReportStatus, ReportVersion, Severity, TableSource, VersionCell
from .rules import Flag, anchor

# Tukey's fence: Q1 - k·IQR .. Q3 + k·IQR.
FENCE = Decimal("1.5")
# Fewer peers than this say nothing about what is usual.
MIN_PEERS = 4
PEER_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def peer_values(report):
    """{(table code, column code): [numbers]} of the latest submitted versions of
    ``report``'s siblings (same parent, round and kind of template), itself left
    out. One query."""
    if report.unit.parent_id is None:
        return {}
    latest = ReportVersion.objects.filter(report=OuterRef("version__report")).order_by(
        "-number"
    )
    rows = (
        VersionCell.objects.filter(
            version__report__unit__parent_id=report.unit.parent_id,
            version__report__round_id=report.round_id,
            version__report__template__code=report.template.code,
            version__report__status__in=PEER_STATUSES,
            version_id=Subquery(latest.values("pk")[:1]),
            column__col_type__in=sorted(cell_contract.ENTERED_NUMERIC),
            column__table__source=TableSource.ENTERED,
        )
        .exclude(version__report=report)
        .values_list("column__table__code", "column__code", "num", "no_data")
    )
    peers = {}
    for table, column, num, no_data in rows:
        value = cell_contract.usable({"num": num, "no_data": no_data})
        if value is not None:
            peers.setdefault((table, column), []).append(value)
    return peers


def quartiles(values):
    """(Q1, Q3) of ``values`` by linear interpolation (inclusive method)."""
    ordered = sorted(values)
    return _quantile(ordered, Decimal("0.25")), _quantile(ordered, Decimal("0.75"))


def _quantile(ordered, q):
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def fence(values):
    """(low, high) bounds of usual values, or None when there are too few peers."""
    if len(values) < MIN_PEERS:
        return None
    q1, q3 = quartiles(values)
    spread = (q3 - q1) * FENCE
    return q1 - spread, q3 + spread


def outlier_flags(outline, values, peers):
    """A flag for every entered number of ``values`` outside its peers' fence."""
    flags = []
    for key, column in outline.columns.items():
        value = values.get(key)
        if value is None or column.col_type not in cell_contract.ENTERED_NUMERIC:
            continue
        if column.table_source != TableSource.ENTERED:
            continue
        column_peers = peers.get(key, ())
        bounds = fence(column_peers)
        if bounds is None or bounds[0] <= value <= bounds[1]:
            continue
        low = max(bounds[0], Decimal(0))
        flags.append(
            Flag(
                key=f"outlier:{key[0]}:{key[1]}",
                kind="outlier",
                severity=Severity.WARNING,
                text=_(
                    "Cần kiểm tra lại: %(value)s khác xa các đơn vị cùng cấp "
                    "(thường từ %(low)s đến %(high)s, %(n)s đơn vị)."
                ),
                value=value,
                table=key[0],
                column_id=column.pk,
                cells=[anchor(*key)],
                peer_low=_places(low),
                peer_high=_places(bounds[1]),
                peer_count=len(column_peers),
            )
        )
    return flags


def _places(value):
    return value.quantize(Decimal("0.01")).normalize()
