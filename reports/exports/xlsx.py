"""Excel (openpyxl, write-only) of an ExportDocument: one sheet per Biểu as printed."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from .. import cells as cell_contract
from ..models import ColumnType
from ..text import printable
from .data import LEAD_COLUMNS, header_grid

TITLE_ROW = 1
ATTACHED_ROW = 2
UNIT_ROW = 3
CODES_ROW = 4  # hidden: the column codes that tie each cell to its column
HEADER_TOP = 5
GENERAL = "General"
COMMENT_AUTHOR = "Sokket"
WIDTHS = {
    ColumnType.DOCUMENTS: 42,
    ColumnType.TEXT: 32,
    ColumnType.YES_NO: 13,
}
FONT = "Times New Roman"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
META_SHEET = "_meta"
PAPER_A4 = "9"
LINE_HEIGHT = 15  # points per line of 11 pt text
CHAR_WIDTH = 1.1  # column width units taken by one character of 11 pt Times
# Printed page numbers: "Trang 2/5" at the bottom of every page.
PAGE_FOOTER = "Trang &P/&N"
WRAPPING = (ColumnType.DOCUMENTS, ColumnType.TEXT)


def _lines(text, width):
    """How many lines ``text`` takes wrapped in a column ``width`` wide."""
    per_line = max(int(width / CHAR_WIDTH) - 1, 1)
    return sum(
        max(1, -(-len(line) // per_line)) for line in str(text or "").split("\n")
    )


def row_height(texts, widths):
    """The height (points) that shows every wrapped line of a row: a fixed height
    lets a unit's second document line spill over the next unit's row."""
    lines = max((_lines(t, w) for t, w in zip(texts, widths, strict=True)), default=1)
    return max(lines, 1) * LINE_HEIGHT + 3


def _page_numbers(ws):
    ws.oddFooter.center.text = PAGE_FOOTER
    ws.oddFooter.center.font = FONT
    ws.oddFooter.center.size = 11


def sheet_name(table):
    name = _("Biểu %(code)s") % {"code": table.code}
    return "".join(ch for ch in name if ch not in "[]:*?/\\")[:31]


class _StyledCell(Cell):
    """A cell whose style was registered once: looking the style up again for
    every one of 100,000 cells is most of the cost of a large sheet."""

    __slots__ = ("_style_id",)

    @property
    def style_id(self):
        return self._style_id

    def _bind_value(self, value):
        # Every cell we write passes here: text in the one printable form.
        super()._bind_value(printable(value))


def _place_cells(cells, row_idx):
    # Every value we append is already a styled cell. openpyxl's own
    # ``_values_to_row`` first tries each as a plain value and formats an error
    # message (the cell's repr) before accepting it: half the time of a large
    # sheet. This does the same placing without the detour.
    for col_idx, cell in enumerate(cells, 1):
        cell.row = row_idx
        cell.column = col_idx
        yield cell


def _create_sheet(wb, title):
    ws = wb.create_sheet(title)
    ws._values_to_row = _place_cells
    return ws


class _Styles:
    """One registered style per kind of cell; cells share it."""

    def __init__(self, ws, *, editable):
        self.ws = ws
        self.cache = {}
        self.editable = editable

    def cell(self, key, value, build):
        entry = self.cache.get(key)
        if entry is None:
            template = WriteOnlyCell(self.ws)
            for name, attr in build().items():
                setattr(template, name, attr)
            entry = (template._style, self.ws.parent._cell_styles.add(template._style))
            self.cache[key] = entry
        cell = _StyledCell(self.ws, row=1, column=1, value=value)
        cell._style, cell._style_id = entry
        return cell

    def title(self, value, *, bold=True, italic=False, size=13):
        return self.cell(
            ("title", bold, italic, size),
            value,
            lambda: {
                "font": Font(name=FONT, bold=bold, italic=italic, size=size),
                "alignment": Alignment(
                    horizontal="center", vertical="center", wrap_text=True
                ),
            },
        )

    def header(self, value):
        return self.cell(
            "header",
            value,
            lambda: {
                "font": Font(name=FONT, bold=True, size=11),
                "alignment": Alignment(
                    horizontal="center", vertical="center", wrap_text=True
                ),
                "border": BOX,
            },
        )

    def value(self, value, col_type, *, total=False, lead=False, number_format=None):
        number_format = number_format or _empty_format(col_type)
        key = ("value", col_type, total, lead, number_format)
        entry = self.cache.get(key)
        if entry is not None:
            cell = _StyledCell(self.ws, row=1, column=1, value=value)
            cell._style, cell._style_id = entry
            return cell
        return self.cell(
            key,
            value,
            lambda: self._value_style(col_type, total, lead, number_format),
        )

    def _value_style(self, col_type, total, lead, number_format):
        numeric = number_format != GENERAL
        unlocked = self.editable and not total and not lead
        if col_type == ColumnType.PERCENT:
            unlocked = False
        return {
            "font": Font(name=FONT, size=11, bold=total),
            "alignment": Alignment(
                horizontal="right" if numeric else ("center" if lead else "left"),
                vertical="top",
                wrap_text=not numeric,
            ),
            "border": BOX,
            "number_format": number_format,
            "protection": Protection(locked=not unlocked),
        }


def _empty_format(col_type):
    """The format of a cell without a figure: whole counts grouped; a decimal
    column shows what is typed into it (the round-trip template)."""
    return "#,##0" if col_type == ColumnType.INTEGER else GENERAL


def value_cell(styles, row, index, leaf):
    """The typed cell of ``row``'s leaf at ``index``: a figure stays a number
    whose format shows what the PDF prints (a partial total ends in "*"); a
    cell without data says so, its note in an Excel comment.

    In the round-trip template (``styles.editable``) a cell without data stays
    empty (the import reads what is typed there) with the text in a comment,
    and a decimal column shows what is typed, whatever its decimals.
    """
    value = row.values[index]
    total = row.is_total
    if index in row.notes:
        text = row.text(index)
        if styles.editable:
            cell = styles.value(None, leaf.col_type)
            cell.comment = Comment(text, COMMENT_AUTHOR)
            return cell
        cell = styles.value(text, ColumnType.TEXT, total=total)
        if row.notes[index]:
            cell.comment = Comment(row.notes[index], COMMENT_AUTHOR)
        return cell
    number = None
    if not isinstance(value, bool | list | str):
        number = cell_contract.excel_value(value)
    if number is None or isinstance(number, str):
        text = row.text(index) or None
        return styles.value(text, leaf.col_type, total=total)
    if styles.editable:
        return styles.value(number, leaf.col_type)
    number_format = cell_contract.excel_format(number)
    if total and index in row.partial:
        number_format += f'"{cell_contract.PARTIAL_MARK}"'
    return styles.value(number, leaf.col_type, total=total, number_format=number_format)


def header_text(box):
    """A header box's label in bold, its hint ("ghi rõ …", the unit) in italic
    on the next line, as the PDF prints it."""
    if not box.note:
        return box.label
    return CellRichText(
        TextBlock(InlineFont(rFont=FONT, sz=11, b=True), box.label),
        TextBlock(InlineFont(rFont=FONT, sz=10, i=True), f"\n{box.note}"),
    )


def _column_width(leaf):
    return WIDTHS.get(leaf.col_type, 14)


def write_table(wb, table, *, template_mode=False, password=None, draft=False):
    ws = _create_sheet(wb, sheet_name(table))
    styles = _Styles(ws, editable=template_mode)
    width = table.width
    depth = len(table.header_rows)
    first_data = HEADER_TOP + depth
    last_col = get_column_letter(width)
    # Widths, panes, row heights and print setup go before the first row.
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 30
    for index, leaf in enumerate(table.leaves, start=LEAD_COLUMNS + 1):
        ws.column_dimensions[get_column_letter(index)].width = _column_width(leaf)
    ws.freeze_panes = f"{get_column_letter(LEAD_COLUMNS + 1)}{first_data}"
    ws.row_dimensions[TITLE_ROW].height = 36
    ws.row_dimensions[CODES_ROW].hidden = True
    for r in range(depth):
        ws.row_dimensions[HEADER_TOP + r].height = 48 if r < depth - 1 else 80
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_title_rows = f"{HEADER_TOP}:{first_data - 1}"
    _page_numbers(ws)
    widths = [6, 30] + [_column_width(leaf) for leaf in table.leaves]
    # Only text wraps: figures keep one line (and cost nothing to measure).
    wrapping = [i for i, leaf in enumerate(table.leaves) if leaf.col_type in WRAPPING]
    for row_idx, row in enumerate(table.rows, start=first_data):
        texts = _row_texts(row, wrapping)
        ws.row_dimensions[row_idx].height = row_height(
            texts.values(), [widths[i] for i in texts]
        )
    for row in (TITLE_ROW, ATTACHED_ROW, UNIT_ROW):
        ws.merged_cells.add(f"A{row}:{last_col}{row}")

    heading = table.heading
    if draft:
        heading = _("BẢN NHÁP – %(title)s") % {"title": heading}
    ws.append([styles.title(heading, size=13)])
    ws.append([styles.title(table.attached_line, bold=False, italic=True, size=12)])
    ws.append([styles.title(_("Đơn vị: %(u)s") % {"u": table.unit_name}, size=12)])
    codes = ["stt", "don-vi"] + [leaf.code for leaf in table.leaves]
    ws.append([WriteOnlyCell(ws, code) for code in codes] if template_mode else [])

    grid = [[None] * width for _ in range(depth)]
    for r, c, box in header_grid(table):
        grid[r][c] = header_text(box)
        if box.rowspan > 1 or box.colspan > 1:
            top = HEADER_TOP + r
            ws.merged_cells.add(
                f"{get_column_letter(c + 1)}{top}:"
                f"{get_column_letter(c + box.colspan)}{top + box.rowspan - 1}"
            )
    for r in range(depth):
        ws.append([styles.header(value) for value in grid[r]])

    for row_idx, row in enumerate(table.rows, start=first_data):
        total = row.is_total
        label = row.label
        if row.status and not row.is_empty:
            label = f"{label}\n{row.status}"
        cells = [
            styles.value(
                int(row.number) if row.number.isdigit() else None,
                "",
                total=total,
                lead=True,
            ),
            styles.value(label, "", total=total, lead=True),
        ]
        if row.is_empty:
            # "Chưa có báo cáo" across the row: never a silent blank row.
            cells.append(styles.value(str(row.status), ColumnType.TEXT))
            cells += [styles.value(None, ColumnType.TEXT) for _ in table.leaves[1:]]
            ws.merged_cells.add(
                f"{get_column_letter(LEAD_COLUMNS + 1)}{row_idx}:{last_col}{row_idx}"
            )
        else:
            cells += [
                value_cell(styles, row, index, leaf)
                for index, leaf in enumerate(table.leaves)
            ]
        ws.append(cells)
    if table.footnote:
        footnote_row = first_data + len(table.rows)
        ws.merged_cells.add(f"A{footnote_row}:{last_col}{footnote_row}")
        ws.append([styles.title(table.footnote, bold=False, italic=True, size=11)])
    if template_mode:
        yes_no = DataValidation(
            type="list", formula1=f'"{_("Có")},{_("Không")}"', allow_blank=True
        )
        for index, leaf in enumerate(table.leaves, start=LEAD_COLUMNS + 1):
            if leaf.col_type == ColumnType.YES_NO:
                letter = get_column_letter(index)
                yes_no.add(f"{letter}{first_data}:{letter}{first_data}")
        if yes_no.sqref:
            ws.data_validations.append(yes_no)
        ws.protection.sheet = True
        ws.protection.formatCells = False
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
        if password:
            ws.protection.password = password
    return ws


def _row_texts(row, wrapping):
    """{sheet column index (0-based): text} of the cells of ``row`` that may
    wrap: the unit's name, text and document columns, cells without data."""
    label = (
        f"{row.label}\n{row.status}" if row.status and not row.is_empty else row.label
    )
    texts = {1: label}
    if not row.is_empty:
        for index in (*wrapping, *row.notes):
            texts[LEAD_COLUMNS + index] = row.text(index)
    return texts


def write_models(wb, document):
    ws = _create_sheet(wb, _("Mô hình điển hình"))
    styles = _Styles(ws, editable=False)
    labels = [_("STT")]
    if document.consolidated:
        labels.append(_("Đơn vị báo cáo"))
    labels += [
        _("Tên mô hình"),
        _("Nội dung Cuộc vận động"),
        _("Đơn vị chủ trì"),
        _("Năm bắt đầu"),
        _("Kết quả"),
    ]
    widths = [6] + ([28] if document.consolidated else []) + [40, 14, 28, 12, 50]
    for index, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = w
    ws.freeze_panes = "A3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"
    _page_numbers(ws)
    for number, model in enumerate(document.models, start=3):
        texts = [""] * (len(widths) - 5) + [
            model.name,
            model.content_area,
            model.unit_in_charge,
            "",
            model.results,
        ]
        ws.row_dimensions[number].height = row_height(texts, widths)
    ws.merged_cells.add(f"A1:{get_column_letter(len(labels))}1")
    ws.append(
        [
            styles.title(
                _("Danh sách mô hình điển hình tiên tiến – %(u)s")
                % {"u": document.unit_name}
            )
        ]
    )
    ws.append([styles.header(label) for label in labels])
    for number, model in enumerate(document.models, start=1):
        values = [number]
        if document.consolidated:
            values.append(model.reporting_unit)
        values += [
            model.name,
            model.content_area,
            model.unit_in_charge,
            model.year_started or None,
            model.results,
        ]
        year = len(values) - 2
        ws.append(
            [
                styles.value(
                    v,
                    ColumnType.INTEGER if i in (0, year) else ColumnType.TEXT,
                    number_format="0" if i == year else None,
                )
                for i, v in enumerate(values)
            ]
        )
    return ws


def render_xlsx(document, *, template_mode=False, meta=None, password=None):
    """The workbook of ``document`` as bytes.

    ``template_mode`` makes the round-trip template: sheets protected except the
    value cells, a hidden row of column codes and a hidden metadata sheet.
    """
    wb = Workbook(write_only=True)
    for table in document.tables:
        write_table(
            wb,
            table,
            template_mode=template_mode,
            password=password,
            draft=document.draft and not template_mode,
        )
    if not template_mode:
        write_models(wb, document)
    if template_mode:
        wb.security = WorkbookProtection(lockStructure=True)
        ws = wb.create_sheet(META_SHEET)
        ws.sheet_state = "veryHidden"
        for key, value in (meta or {}).items():
            ws.append([key, str(value)])
        wb.defined_names["sokket_meta"] = DefinedName(
            "sokket_meta", attr_text=f"'{META_SHEET}'!$A$1:$B${len(meta or {})}"
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
