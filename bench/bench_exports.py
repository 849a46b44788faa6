"""Export speed: consolidated Excel and PDFs against bare openpyxl / WeasyPrint; the
Word file of a district report."""

import io
import random
from decimal import Decimal

from django.utils.html import escape

from bench.harness import Result, median_seconds
from reports import cells as cell_contract
from reports.consolidation import ConsolidatedRow, ConsolidatedTable, Consolidation
from reports.exports import data, docx, pdf, xlsx
from reports.models import ColumnType, ReportTemplate, ReportVersion, Round, Unit
from reports.outline import table_layout


def _value(leaf, rng):
    match leaf.col_type:
        case ColumnType.YES_NO:
            return rng.random() < 0.7
        case ColumnType.DOCUMENTS:
            return [
                {
                    "kind": "Kế hoạch",
                    "number": f"{rng.randint(1, 300)}/KH-MTTQ",
                    "date": "2017-03-15",
                    "summary": "Triển khai Cuộc vận động",
                }
            ]
        case ColumnType.TEXT:
            return "Ghi chú"
        case ColumnType.PERCENT:
            return Decimal(rng.randint(0, 1000)) / 10
    return Decimal(rng.randint(0, 5000))


def in_memory_consolidation(n_rows, seed=2020):
    """A consolidation of ``n_rows`` child units over the district template,
    built in memory (same dataclasses as ``reports.consolidation``)."""
    rng = random.Random(seed)
    round_ = Round.objects.get(code="so-ket-2016-2020")
    template = ReportTemplate.objects.get(round=round_, code="huyen", is_current=True)
    parent = Unit.objects.select_related("level", "parent").get(code="72")
    level = Unit.objects.filter(code="705").select_related("level").get().level
    units = [
        Unit(code=f"B{i:05d}", name=f"Xã Thử Nghiệm {i:05d}", level=level)
        for i in range(n_rows)
    ]
    tables = []
    for table, columns in data.template_tables(template):
        layout = table_layout(table, columns, level_name="xã")
        rows = []
        for unit in units:
            values = {leaf.pk: _value(leaf, rng) for leaf in layout.leaves}
            rows.append(ConsolidatedRow(unit, None, None, "approved", values))
        total = {}
        for leaf in layout.leaves:
            column = [r.values[leaf.pk] for r in rows]
            if leaf.col_type == ColumnType.YES_NO:
                total[leaf.pk] = sum(1 for v in column if v)
            elif leaf.col_type == ColumnType.DOCUMENTS:
                total[leaf.pk] = sum(len(v) for v in column)
            elif leaf.col_type in (ColumnType.TEXT, ColumnType.PERCENT):
                total[leaf.pk] = None
            else:
                total[leaf.pk] = sum(column, Decimal(0))
        tables.append(ConsolidatedTable(table, layout, rows, total))
    return Consolidation(parent, round_, False, tables)


def raw_openpyxl(document):
    """Bare write-only openpyxl writing the same cell values, no layout."""
    from openpyxl import Workbook

    rows_by_table = []
    for table in document.tables:
        rows = [
            [int(row.number) if row.number else None, row.label]
            + [
                row.text(i)
                if isinstance(v, bool | list | str)
                else cell_contract.excel_value(v)
                for i, v in enumerate(row.values)
            ]
            for row in table.rows
        ]
        rows_by_table.append(rows)

    def write():
        wb = Workbook(write_only=True)
        for table, rows in zip(document.tables, rows_by_table, strict=True):
            ws = wb.create_sheet(xlsx.sheet_name(table))
            for row in rows:
                ws.append(row)
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()

    return write


def bare_table_html(document):
    parts = ["<html><body>"]
    for table in document.tables:
        parts.append("<table>")
        for row, cells in data.printed_rows(table):
            parts.append(
                "<tr><td>"
                + escape(row.number)
                + "</td><td>"
                + escape(row.label)
                + "</td>"
                + "".join(f"<td>{escape(c.text)}</td>" for c in cells)
                + "</tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def run(ctx):
    from weasyprint import HTML

    results = []
    n_rows = 1000 if ctx.get("small") else 10_000
    consolidation = in_memory_consolidation(n_rows)
    document = data.build_consolidated_document(consolidation)
    raw = raw_openpyxl(document)
    repeat = 3
    baseline = median_seconds(raw, repeat=repeat, warmup=0)
    ours = median_seconds(
        lambda: xlsx.render_xlsx(data.build_consolidated_document(consolidation)),
        repeat=repeat,
        warmup=0,
    )
    results.append(
        Result(
            f"exports: consolidated Excel {n_rows:,} rows / raw openpyxl write-only "
            f"({ours:.2f}s vs {baseline:.2f}s)",
            ours / baseline,
            1.5,
            "×",
        )
    )

    version = (
        ReportVersion.objects.filter(report__unit__unit_type="huyen")
        .select_related(
            "report__unit__level", "report__unit__parent", "report__round", "template"
        )
        .order_by("-pk")
        .first()
    )
    if version is not None:
        seconds = median_seconds(
            lambda: pdf.render_pdf(data.build_version_document(version)),
            repeat=5,
        )
        results.append(
            Result("exports: PDF of a complete district report", seconds, 2.0, "s")
        )
        seconds = median_seconds(
            lambda: docx.render_docx(data.build_version_document(version)),
            repeat=5,
        )
        results.append(
            Result("exports: Word of a complete district report", seconds, 1.0, "s")
        )

    small = in_memory_consolidation(100)
    small_doc = data.build_consolidated_document(small)
    html = bare_table_html(small_doc)
    bare = median_seconds(lambda: HTML(string=html).write_pdf(), repeat=5)
    ours = median_seconds(
        lambda: pdf.render_pdf(data.build_consolidated_document(small)), repeat=5
    )
    results.append(
        Result(
            f"exports: 100-row consolidated appendix PDF / bare WeasyPrint table "
            f"({ours:.2f}s vs {bare:.2f}s)",
            ours / bare,
            1.5,
            "×",
        )
    )
    return results
