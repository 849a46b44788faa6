"""What the reviewer sees of quality: a version's flags, the review list's mark
and filter, rule failures per child and in the totals of a consolidation."""

from decimal import Decimal

from django.db.models import Exists, OuterRef, Subquery

from .. import cells as cell_contract
from ..models import ColumnType, FlagKind, ReportVersion, Severity, VersionFlag
from . import rules


def with_flag_mark(reports):
    """``reports`` annotated with ``quality_flagged``: their latest version has a
    flag. One subquery in the list's own query, whatever the number of rows."""
    latest = ReportVersion.objects.filter(report=OuterRef("version__report")).order_by(
        "-number"
    )
    flagged = VersionFlag.objects.filter(
        version__report=OuterRef("pk"), version_id=Subquery(latest.values("pk")[:1])
    )
    return reports.annotate(quality_flagged=Exists(flagged))


def version_flags(version):
    """The flags frozen with ``version``, each with its peers' range printed."""
    flags = list(version.quality_flags.select_related("column__table"))
    for flag in flags:
        flag.is_blocking = flag.severity == Severity.BLOCKING
        flag.peer_range = ""
        if flag.kind == FlagKind.OUTLIER:
            low = cell_contract.format_number(flag.peer_low)
            high = cell_contract.format_number(flag.peer_high)
            flag.peer_range = f"{low} – {high}"
    return flags


def child_flags(result):
    """{version pk: [flags]} of the children's versions a consolidation read."""
    versions = [row.version.pk for row in result.rows if row.version is not None]
    flags = {}
    for flag in VersionFlag.objects.filter(version__in=versions).select_related(
        "column__table"
    ):
        flags.setdefault(flag.version_id, []).append(flag)
    return flags


def total_failures(result):
    """The rules false for the consolidated totals (partial totals are unknown)."""
    if result.template is None:
        return []
    outline = rules.Outline.of(result.template)
    keys = {column.pk: key for key, column in outline.columns.items()}
    values = {}
    for table in result.tables:
        for pk, value in table.total.items():
            key = keys.get(pk)
            if key is None or pk in table.partial:
                continue
            col_type = outline.columns[key].col_type
            if col_type == ColumnType.DOCUMENTS:
                values[key] = Decimal(value or 0)
            elif col_type != ColumnType.YES_NO and isinstance(value, Decimal):
                values[key] = value
    return rules.evaluate(outline, values)
