"""PDF (WeasyPrint) of an ExportDocument in the Vietnamese administrative layout."""

import threading

from django.template.loader import render_to_string

from ..models import ColumnType
from ..text import printable
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


_local = threading.local()


def _weasy():
    """WeasyPrint's font setup and the parsed print stylesheet, made once per
    thread: building them for every PDF costs a fifth of a report's time."""
    if not hasattr(_local, "css"):
        # WeasyPrint loads Pango and fonts: import it only when a PDF is made.
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        _local.fonts = FontConfiguration()
        _local.css = CSS(
            string=render_to_string("print/print.css"), font_config=_local.fonts
        )
    return _local.fonts, _local.css


def render_html(document, *, inline_css=True):
    """The print HTML of ``document`` (its own small stylesheet, no Bootstrap),
    in the printable form of text (no control characters)."""
    html = render_to_string(
        "print/report.html",
        {
            "doc": document,
            "inline_css": inline_css,
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
    return printable(html)


def render_pdf(document):
    """The PDF of ``document`` as bytes (A4 portrait body, landscape appendix)."""
    from weasyprint import HTML

    fonts, css = _weasy()
    # The HTML references no URL, so nothing is fetched.
    html = HTML(string=render_html(document, inline_css=False))
    return html.write_pdf(stylesheets=[css], font_config=fonts)
