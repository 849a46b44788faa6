"""PDF (WeasyPrint) of an ExportDocument in the Vietnamese administrative layout."""

from django.template.loader import render_to_string

from ..models import ColumnType
from .data import printed_rows

# Relative widths of value columns. Tables use a fixed layout: WeasyPrint then
# sizes columns once instead of measuring every cell again on every page.
WEIGHTS = {ColumnType.DOCUMENTS: 2.2, ColumnType.TEXT: 1.8}
LEAD_WIDTHS = (4.0, 15.0)  # STT, Đơn vị (percent of the table)


def column_widths(table):
    """Percent widths: STT, Đơn vị, then each value column by its weight."""
    weights = [WEIGHTS.get(leaf.col_type, 1.0) for leaf in table.leaves]
    rest = 100.0 - sum(LEAD_WIDTHS)
    total = sum(weights) or 1.0
    return [*LEAD_WIDTHS, *(round(rest * w / total, 2) for w in weights)]


def render_html(document):
    """The print HTML of ``document`` (its own small stylesheet, no Bootstrap)."""
    return render_to_string(
        "print/report.html",
        {
            "doc": document,
            "tables": [
                {
                    "block": table,
                    "rows": printed_rows(table),
                    "widths": column_widths(table),
                }
                for table in document.tables
            ],
            "blank_lines": range(5),
            "blank_rows": range(5),
        },
    )


def render_pdf(document):
    """The PDF of ``document`` as bytes (A4 portrait body, landscape appendix)."""
    # WeasyPrint loads Pango and fonts: import it only when a PDF is made.
    from weasyprint import HTML

    # The HTML references no URL (styles are inline), so nothing is fetched.
    return HTML(string=render_html(document)).write_pdf()
