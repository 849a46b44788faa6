"""PDF (WeasyPrint) of an ExportDocument in the Vietnamese administrative layout."""

from django.template.loader import render_to_string

from .data import printed_rows


def render_html(document):
    """The print HTML of ``document`` (its own small stylesheet, no Bootstrap)."""
    return render_to_string(
        "print/report.html",
        {
            "doc": document,
            "tables": [
                {"block": table, "rows": printed_rows(table)}
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
