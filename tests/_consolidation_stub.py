"""TEST-ONLY stand-in for ``reports.consolidation.consolidate`` (written elsewhere).

Builds a ``Consolidation`` from the children's approved versions with plain sums,
following the value contract in ``reports.consolidation``. At merge the lead
switches the tests to the real function; production code never imports this.
"""

from decimal import Decimal

from reports.consolidation import ConsolidatedRow, ConsolidatedTable, Consolidation
from reports.exports.data import percent, template_tables, unit_values
from reports.models import ColumnType, Report
from reports.outline import table_layout


def consolidate(parent, round_, *, include_submitted=False):
    children = list(parent.children.select_related("level").order_by("code"))
    reports = {
        r.unit_id: r
        for r in Report.objects.filter(round=round_, unit__in=children)
        .select_related("approved_version__template")
        .prefetch_related("approved_version__cells")
    }
    template = next(
        (r.approved_version.template for r in reports.values() if r.approved_version),
        None,
    )
    if template is None:
        return Consolidation(parent, round_, include_submitted, [])
    level_name = children[0].level.name if children else ""
    tables = []
    for table, columns in template_tables(template):
        layout = table_layout(table, columns, level_name=level_name)
        rows = []
        for child in children:
            report = reports.get(child.pk)
            version = report.approved_version if report else None
            if version is None:
                rows.append(ConsolidatedRow(child, report, None, "missing"))
                continue
            cells = {c.column_id: c for c in version.cells.all()}
            values, notes = unit_values(columns, cells, version.models_data, table)
            rows.append(
                ConsolidatedRow(child, report, version, "approved", values, notes)
            )
        total = {}
        for leaf in layout.leaves:
            column_values = [r.values.get(leaf.pk) for r in rows]
            match leaf.col_type:
                case ColumnType.YES_NO:
                    total[leaf.pk] = sum(1 for v in column_values if v is True)
                case ColumnType.DOCUMENTS:
                    total[leaf.pk] = sum(len(v) for v in column_values if v)
                case ColumnType.TEXT:
                    total[leaf.pk] = "\n".join(
                        f"{r.unit.name}: {r.values[leaf.pk]}"
                        for r in rows
                        if r.values.get(leaf.pk)
                    )
                case ColumnType.PERCENT:
                    pass
                case _:
                    numbers = [v for v in column_values if v is not None]
                    total[leaf.pk] = sum(numbers, Decimal(0)) if numbers else None
        for leaf in layout.leaves:
            if leaf.col_type == ColumnType.PERCENT:
                total[leaf.pk] = percent(
                    total.get(leaf.numerator_id), total.get(leaf.denominator_id)
                )
        tables.append(ConsolidatedTable(table, layout, rows, total))
    return Consolidation(parent, round_, include_submitted, tables)
