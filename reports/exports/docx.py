"""Word (python-docx) of an ExportDocument in the NĐ 30 layout of the PDF.

The header blocks are a borderless two-column table (its second row holds "Số:"
and the date line, so they stand level); headings use Word's own "Heading 1–3"
styles following the outline; every Biểu is a real Word table whose merged
header cells are the header tree, repeated on every page, in a landscape section.
Every figure is the text ``reports.cells`` prints (``DataRow.text``).
"""

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .data import LEAD_COLUMNS, header_grid, printed_rows
from .pdf import column_widths

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 11
A4 = (Mm(210), Mm(297))
# NĐ 30/2020, Phụ lục I: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
HEADING_STYLES = ("Heading 1", "Heading 2", "Heading 3")
BLANK_LINES = 5
MODEL_HEADS = (
    _("STT"),
    _("Tên mô hình"),
    _("Nội dung Cuộc vận động"),
    _("Đơn vị chủ trì"),
    _("Năm bắt đầu"),
    _("Kết quả"),
)


# --- Low-level helpers ------------------------------------------------------


def _fonts(style, size, *, bold=None, italic=None):
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic
    # Vietnamese text is "complex" to some Word builds: name the font for all.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _setup_styles(doc):
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_PT)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.0
    for depth, name in enumerate(HEADING_STYLES):
        style = doc.styles[name]
        _fonts(style, BODY_PT, bold=True, italic=depth == 2)
        # Part headings print in capitals, as in the PDF ("I. CÔNG TÁC …").
        style.font.all_caps = depth == 0
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _page(section, *, landscape):
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (
        (height, width) if landscape else (width, height)
    )
    for side, value in MARGINS.items():
        setattr(section, f"{side}_margin", value)
    section.header_distance = Mm(10)


def _field(paragraph, instruction):
    """A Word field (PAGE) as its three runs: begin, instruction, end."""
    for kind, text in (("begin", None), (None, instruction), ("end", None)):
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)


def _page_numbers(section):
    """Page numbers centred at the top, from page 2 (the first page has none)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(paragraph, "PAGE")


def _no_borders(table):
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    table._tbl.tblPr.append(borders)


def _rule(paragraph, *, indent):
    """A short centred rule under a header block (a bottom border, no glyphs)."""
    paragraph.paragraph_format.left_indent = indent
    paragraph.paragraph_format.right_indent = indent
    p_pr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (
        ("val", "single"),
        ("sz", "6"),
        ("space", "1"),
        ("color", "000000"),
    ):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    p_pr.append(border)


def _para(
    container,
    text="",
    *,
    bold=False,
    italic=False,
    size=None,
    align=None,
    style=None,
    keep=False,
):
    paragraph = container.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if size:
            run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    if keep:
        paragraph.paragraph_format.keep_with_next = True
    return paragraph


def _cell_text(
    cell, text, *, bold=False, italic=False, align=None, size=TABLE_PT, note=""
):
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    lines = str(text).split("\n")
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        run.font.size = Pt(size)
        run.bold = bold or None
        run.italic = italic or None
        if index < len(lines) - 1:
            run.add_break()
    if note:
        run = paragraph.add_run(f" {note}")
        run.font.size = Pt(size)
        run.italic = True
    return paragraph


def _narrow_margins(table, twips=57):
    """Cell padding of 1 mm (Word's default 1.9 mm breaks "STT" in two)."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(twips))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    table._tbl.tblPr.append(margins)


def _repeat_header(row):
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    tr_pr.append(header)
    _cant_split(row)


def _cant_split(row):
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _dotted_lines(doc, count, width):
    """Blank answer lines as a dotted tab leader (one tab, not a row of dots)."""
    for _index in range(count):
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.tab_stops.add_tab_stop(
            width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )
        paragraph.add_run("\t")


# --- Blocks -----------------------------------------------------------------


def _draft_banner(doc):
    _para(
        doc,
        _("BẢN NHÁP – không có giá trị chính thức"),
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )


def _header_blocks(doc, document):
    header = document.header
    table = doc.add_table(rows=2, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # The date line ("Tây Ninh, ngày …… tháng …… năm ……") fits on one line.
    _set_widths(table, (Mm(62), Mm(103)))
    left, right = table.rows[0].cells
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    first = True
    for line in header.parent_lines:
        if not line:
            continue
        paragraph = left.paragraphs[0] if first else left.add_paragraph()
        first = False
        _cell_text_run(paragraph, line, size=13)
    paragraph = left.paragraphs[0] if first else left.add_paragraph()
    _cell_text_run(paragraph, header.issuing_body, size=13, bold=True)
    _rule(left.add_paragraph(), indent=Mm(22))
    _cell_text_run(right.paragraphs[0], header.right_block, size=13, bold=True)
    _rule(right.add_paragraph(), indent=Mm(25))
    number, date = table.rows[1].cells
    _cell_text_run(number.paragraphs[0], header.number_line, size=13)
    _cell_text_run(date.paragraphs[0], header.place_date, size=14, italic=True)
    for cell in (*table.rows[0].cells, *table.rows[1].cells):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(0)
    return table


def _cell_text_run(paragraph, text, *, size, bold=False, italic=False):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold or None
    run.italic = italic or None
    return run


def _title(doc, document):
    _para(doc, "")
    _para(doc, document.doc_type, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True)
    _para(doc, document.subject, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True)
    for line in document.intro:
        _para(doc, line, align=WD_ALIGN_PARAGRAPH.JUSTIFY)


def _text(doc, text):
    for line in (text or "").splitlines():
        if line.strip():
            paragraph = _para(doc, line.strip(), align=WD_ALIGN_PARAGRAPH.JUSTIFY)
            paragraph.paragraph_format.first_line_indent = Mm(10)


def _sections(doc, document, line_width):
    for block in document.sections:
        style = HEADING_STYLES[min(block.depth, len(HEADING_STYLES) - 1)]
        doc.add_paragraph(f"{block.number} {block.title}", style=style)
        if block.is_heading:
            continue
        if document.blank and block.guidance:
            _para(doc, block.guidance, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        parts = (
            [
                (_("- Kết quả đạt được:"), block.text),
                (_("- Hạn chế, chưa được:"), block.shortcomings),
            ]
            if block.shape == "achieved_limits"
            else [("", block.text)]
        )
        for label, text in parts:
            if label:
                _para(doc, label, bold=True, italic=True, keep=True)
            if document.blank:
                _dotted_lines(doc, BLANK_LINES, line_width)
            else:
                _text(doc, text)


def _closing(doc, document):
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    table.autofit = False
    _set_widths(table, (Mm(80), Mm(85)))
    recipients, signature = table.rows[0].cells
    _cant_split(table.rows[0])
    _cell_text_run(
        recipients.paragraphs[0], _("Nơi nhận:"), size=12, bold=True, italic=True
    )
    lines = document.recipients or ["……;", _("Lưu: VT.")]
    for line in lines:
        paragraph = recipients.add_paragraph()
        _cell_text_run(paragraph, f"- {line}", size=11)
    rows = [
        (document.signature_lead, True),
        (document.signer_title or "……", True),
        ("", False),
        ("", False),
        ("", False),
        (document.signer_name, True),
    ]
    for index, (text, bold) in enumerate(rows):
        paragraph = signature.paragraphs[0] if index == 0 else signature.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _cell_text_run(paragraph, text, size=14, bold=bold)
    for cell in (recipients, signature):
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.space_after = Pt(0)


def _grid_widths(section, percents):
    usable = section.page_width - section.left_margin - section.right_margin
    return [int(usable * p / 100) for p in percents]


def _set_widths(table, widths):
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(width / 635)))  # EMU -> twentieths of a point
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width


def _appendix_heading(doc, document):
    _para(
        doc,
        document.appendix_title,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        keep=True,
    )
    if document.appendix_subtitle:
        _para(
            doc,
            document.appendix_subtitle,
            bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            keep=True,
        )


def _table_title(doc, table):
    _para(doc, table.heading, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True)
    _para(
        doc,
        table.attached_line,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        keep=True,
    )
    _para(doc, table.unit_name, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True)


def _grid(doc, section, table):
    depth = len(table.header_rows)
    rows = printed_rows(table)
    grid = doc.add_table(rows=depth + len(rows), cols=table.width)
    grid.style = doc.styles["Table Grid"]
    _narrow_margins(grid)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _set_widths(grid, _grid_widths(section, column_widths(table)))
    word_rows = grid.rows
    header_cells = [row.cells for row in word_rows[:depth]]
    for r, c, box in header_grid(table):
        cell = header_cells[r][c]
        if box.rowspan > 1 or box.colspan > 1:
            cell = cell.merge(header_cells[r + box.rowspan - 1][c + box.colspan - 1])
        _cell_text(
            cell, box.label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, note=box.note
        )
    for row in word_rows[:depth]:
        _repeat_header(row)
    for (data_row, printed), word_row in zip(rows, word_rows[depth:], strict=True):
        _cant_split(word_row)
        cells = word_row.cells
        _cell_text(cells[0], data_row.number, align=WD_ALIGN_PARAGRAPH.CENTER)
        label = data_row.label
        if data_row.status and not data_row.is_empty:
            label = f"{label}\n({data_row.status})"
        _cell_text(cells[1], label, bold=data_row.is_total)
        if data_row.is_empty:
            merged = cells[LEAD_COLUMNS].merge(cells[-1])
            _cell_text(
                merged,
                str(data_row.status),
                italic=True,
                align=WD_ALIGN_PARAGRAPH.CENTER,
            )
            continue
        for cell, value in zip(cells[LEAD_COLUMNS:], printed, strict=True):
            align = (
                WD_ALIGN_PARAGRAPH.CENTER
                if value.no_data
                else WD_ALIGN_PARAGRAPH.RIGHT
                if value.numeric
                else WD_ALIGN_PARAGRAPH.LEFT
            )
            _cell_text(
                cell,
                value.text,
                bold=data_row.is_total,
                italic=value.no_data,
                align=align,
            )
    if rows and rows[-1][0].is_total and len(rows) > 1:
        # The total row stays on the page of the row above it.
        for paragraph in word_rows[-2].cells[0].paragraphs:
            paragraph.paragraph_format.keep_with_next = True
    if table.footnote or table.note:
        # The note under the table stays on the page of its last row.
        for paragraph in word_rows[-1].cells[0].paragraphs:
            paragraph.paragraph_format.keep_with_next = True
    return grid


def _table_notes(doc, table):
    for note in (table.footnote, table.note):
        if note:
            _para(doc, str(note), italic=True, size=12)


def _models(doc, section, document):
    _para(
        doc,
        _("DANH SÁCH MÔ HÌNH ĐIỂN HÌNH TIÊN TIẾN"),
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        keep=True,
    )
    _para(
        doc, document.unit_name, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True
    )
    heads = list(MODEL_HEADS)
    widths = [5, 28, 10, 20, 8, 29]
    if document.consolidated:
        heads.insert(1, _("Đơn vị báo cáo"))
        widths = [5, 16, 22, 10, 17, 8, 22]
    entries = document.models or [None] * BLANK_LINES
    grid = doc.add_table(rows=1 + len(entries), cols=len(heads))
    grid.style = doc.styles["Table Grid"]
    grid.autofit = False
    _set_widths(grid, _grid_widths(section, widths))
    word_rows = grid.rows
    for cell, head in zip(word_rows[0].cells, heads, strict=True):
        _cell_text(cell, head, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_header(word_rows[0])
    for number, (model, row) in enumerate(zip(entries, word_rows[1:], strict=True), 1):
        if model is None:
            continue
        values = [
            str(number),
            model.name,
            model.content_area,
            model.unit_in_charge,
            str(model.year_started or ""),
            model.results,
        ]
        if document.consolidated:
            values.insert(1, model.reporting_unit)
        for cell, value in zip(row.cells, values, strict=True):
            _cell_text(cell, value)


def render_docx(document):
    """The .docx of ``document`` as bytes."""
    doc = Document()
    _setup_styles(doc)
    body = doc.sections[0]
    _page(body, landscape=False)
    _page_numbers(body)
    line_width = body.page_width - body.left_margin - body.right_margin
    if document.draft:
        _draft_banner(doc)
    _header_blocks(doc, document)
    _title(doc, document)
    _sections(doc, document, line_width)
    _para(doc, "")
    _closing(doc, document)
    landscape = None
    for index, table in enumerate(document.tables):
        if index == 0 or document.consolidated:
            landscape = doc.add_section(WD_SECTION.NEW_PAGE)
            _page(landscape, landscape=True)
            landscape.different_first_page_header_footer = False
        if index == 0:
            _appendix_heading(doc, document)
        _table_title(doc, table)
        _grid(doc, landscape, table)
        _table_notes(doc, table)
    if document.models or document.blank:
        if landscape is None or document.consolidated:
            landscape = doc.add_section(WD_SECTION.NEW_PAGE)
            _page(landscape, landscape=True)
            landscape.different_first_page_header_footer = False
        else:
            _para(doc, "")
        _models(doc, landscape, document)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
