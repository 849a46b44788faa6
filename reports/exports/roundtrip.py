"""The Excel round trip: a pre-filled, protected template of a unit's tables, and
reading it back (every cell checked, a preview of changes, saved on confirm)."""

import datetime as dt
import hashlib
import hmac
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from .. import cells, drafts
from ..models import ColumnType, Report, TableColumn, TableSource
from ..text import clean_typed
from . import data, xlsx
from .xlsx_guard import ImportRejected, check_workbook

MAX_ENTRIES = 100
MAX_UNCOMPRESSED = 30 * 1024 * 1024
MAX_RATIO = 100
TEMPLATE_KIND = "sokket-bieu-v1"
DOC_LINE = re.compile(
    r"^(?P<kind>.+?)(?:\s+số\s+(?P<number>\S+))?"
    r"(?:\s+ngày\s+(?P<date>\d{1,2}/\d{1,2}/\d{4}))?(?::\s*(?P<summary>.*))?$"
)


@dataclass
class Change:
    sheet: str
    cell: str
    column: str
    old: str
    new: str


@dataclass
class ParsedUpload:
    values: dict = field(default_factory=dict)  # column id -> Cell field values
    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def _entered_document(report):
    document = data.build_draft_document(report)
    document.tables = [t for t in document.tables if t.code in _entered_codes(report)]
    return document


def _entered_codes(report):
    return set(
        report.template.tables.filter(source=TableSource.ENTERED).values_list(
            "code", flat=True
        )
    )


def header_signature(document):
    """Every table's codes and header labels: a changed header changes it."""
    parts = []
    for table in document.tables:
        parts.append(table.code)
        parts += [leaf.code for leaf in table.leaves]
        parts += [box.label for row in table.header_rows for box in row]
    return "\x1f".join(parts)


def _checksum(meta, signature):
    message = "|".join(
        [meta["kind"], meta["round"], meta["unit"], meta["template"], signature]
    )
    return hmac.new(
        settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256
    ).hexdigest()


def template_meta(report, document):
    meta = {
        "kind": TEMPLATE_KIND,
        "round": report.round.code,
        "unit": report.unit.code,
        "template": f"{report.template.pk}:{report.template.version}",
    }
    meta["checksum"] = _checksum(meta, header_signature(document))
    return meta


def build_template(report):
    """(content, filename) of the pre-filled template of ``report``'s tables."""
    document = _entered_document(report)
    for table in document.tables:
        table.attached_line = _(
            "Nhập số liệu vào các ô trống; không sửa tiêu đề, không chèn dòng, cột."
        )
    content = xlsx.render_xlsx(
        document, template_mode=True, meta=template_meta(report, document)
    )
    return content, f"mau-nhap-{report.unit.code}-{report.round.code}.xlsx"


# --- Reading an upload ----------------------------------------------------------


def _check_zip(content):
    if len(content) > settings.XLSX_IMPORT_MAX_BYTES:
        raise ImportRejected(
            _("Tệp quá lớn (tối đa %(mb)s MB).")
            % {"mb": settings.XLSX_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise ImportRejected(_("Tệp không phải tệp Excel (.xlsx)."))
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportRejected(_("Tệp Excel bị hỏng, không đọc được.")) from exc
    total = sum(e.file_size for e in entries)
    too_packed = any(
        e.compress_size and e.file_size / e.compress_size > MAX_RATIO for e in entries
    )
    if len(entries) > MAX_ENTRIES or total > MAX_UNCOMPRESSED or too_packed:
        raise ImportRejected(
            _("Tệp có cấu trúc bất thường (dung lượng giải nén quá lớn); không đọc.")
        )


def _load(content):
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(content), data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a malformed file
        raise ImportRejected(_("Tệp Excel bị hỏng, không đọc được.")) from exc


def _read_meta(wb):
    if xlsx.META_SHEET not in wb.sheetnames:
        raise ImportRejected(
            _("Tệp không phải mẫu biểu tải từ hệ thống (thiếu thông tin nhận dạng).")
        )
    ws = wb[xlsx.META_SHEET]
    return {
        str(row[0]): str(row[1])
        for row in ws.iter_rows(max_col=2, values_only=True)
        if row[0] is not None and row[1] is not None
    }


def _check_meta(meta, report, document):
    if meta.get("kind") != TEMPLATE_KIND:
        raise ImportRejected(_("Tệp không phải mẫu biểu tải từ hệ thống."))
    if meta.get("round") != report.round.code:
        raise ImportRejected(
            _("Tệp là mẫu của đợt báo cáo khác (“%(r)s”), không phải đợt này.")
            % {"r": meta.get("round")}
        )
    if meta.get("unit") != report.unit.code:
        raise ImportRejected(
            _("Tệp là mẫu của đơn vị khác (mã %(u)s), không phải của %(name)s.")
            % {"u": meta.get("unit"), "name": report.unit.name}
        )
    if meta.get("template") != f"{report.template.pk}:{report.template.version}":
        raise ImportRejected(
            _("Mẫu biểu đã thay đổi từ khi tải tệp; hãy tải mẫu mới và nhập lại.")
        )
    expected = _checksum(meta, header_signature(document))
    if not hmac.compare_digest(meta.get("checksum", ""), expected):
        raise ImportRejected(_("Thông tin nhận dạng của tệp đã bị sửa; không nhận."))


def _check_structure(wb, table):
    name = xlsx.sheet_name(table)
    if name not in wb.sheetnames:
        raise ImportRejected(_("Thiếu trang “%(s)s” trong tệp.") % {"s": name})
    ws = wb[name]
    codes = ["stt", "don-vi"] + [leaf.code for leaf in table.leaves]
    found = [ws.cell(row=xlsx.CODES_ROW, column=i + 1).value for i in range(len(codes))]
    extra = ws.cell(row=xlsx.CODES_ROW, column=len(codes) + 1).value
    if found != codes or extra is not None:
        raise ImportRejected(
            _("%(s)s: các cột đã bị thay đổi (thêm, bớt hoặc đổi chỗ).") % {"s": name}
        )
    for r, c, box in xlsx.header_grid(table):
        label = box.label if not box.note else f"{box.label}\n{box.note}"
        cell = ws.cell(row=xlsx.HEADER_TOP + r, column=c + 1)
        if (cell.value or "") != label:
            raise ImportRejected(
                _("%(s)s!%(c)s: tiêu đề cột đã bị sửa.")
                % {"s": name, "c": cell.coordinate}
            )
    return ws


def parse_number(raw, col_type=ColumnType.MONEY):
    """A number cell: Excel's own numbers and typed text read by the one parser
    (``cells.parse_number``: "8,5", "8.5", "1.234,5"; an ambiguous "1.234" is
    refused rather than guessed). Raises ValueError with the reason, or with
    no reason for plain "not a number" (worded by the caller with the cell)."""
    try:
        number = cells.parse_number(raw, col_type)
    except ValidationError as exc:
        if exc.code == "invalid":
            raise ValueError from exc
        raise ValueError(exc.messages[0]) from exc
    if number is None:
        raise ValueError
    return number


def _parse_docs(raw):
    docs = []
    for line in str(raw).splitlines():
        line = line.strip()
        if not line:
            continue
        match = DOC_LINE.match(line)
        date = ""
        if match.group("date"):
            try:
                date = dt.datetime.strptime(match.group("date"), "%d/%m/%Y").date()
            except ValueError as exc:
                raise ValueError(match.group("date")) from exc
            date = date.isoformat()
        docs.append(
            {
                "kind": match.group("kind").strip(),
                "number": match.group("number") or "",
                "date": date,
                "summary": (match.group("summary") or "").strip(),
            }
        )
    return docs


def _parse_cell(cell, column):
    """Cell field values for ``column`` from an Excel cell, checked by the
    editor's rules (``drafts.typed_value``); ValueError(message)."""
    raw = cell.value
    if isinstance(raw, str):
        # Cleaned as the editor cleans it before anything reads it: pasted
        # decomposed (NFD), "số" and "ngày" of a document line are not found.
        raw = clean_typed(raw)
    if cell.data_type == "f" or (isinstance(raw, str) and raw.startswith("=")):
        raise ValueError(_("không được dùng công thức, hãy nhập giá trị."))
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if column.col_type == ColumnType.DOCUMENTS:
        try:
            return {"docs": _parse_docs(raw)}
        except ValueError as exc:
            raise ValueError(
                _("ngày ban hành “%(d)s” không hợp lệ (dd/mm/yyyy).")
                % {"d": exc.args[0]}
            ) from exc
    if column.col_type in cells.ENTERED_NUMERIC:
        try:
            return {"num": parse_number(raw, column.col_type)}
        except ValueError as exc:
            reason = exc.args[0] if exc.args else None
            raise ValueError(
                reason or _("“%(v)s” không phải là số.") % {"v": str(raw)[:40]}
            ) from exc
    try:
        return drafts.typed_value(column, raw)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from exc


def _changes(cell, fields):
    """True when ``fields`` (from the file) differ from the stored ``cell``:
    compared exactly, value for value (8,51 and 8,52 differ)."""
    if cell is None or cell.no_data:
        return True
    return any(getattr(cell, name) != value for name, value in fields.items())


def parse_upload(report, content):
    """Check an uploaded template against ``report``; nothing is saved here.

    Raises ``ImportRejected`` for a file that is not this report's template;
    cell problems are collected in ``errors`` as "Biểu 1.2!D7: …".
    """
    _check_zip(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        check_workbook(archive, identity_sheet=xlsx.META_SHEET)
    wb = _load(content)
    document = _entered_document(report)
    _check_meta(_read_meta(wb), report, document)
    columns = {}
    for table in report.template.tables.filter(source=TableSource.ENTERED):
        for column in table.columns.all():
            columns[(table.code, column.code)] = column
    stored_cells = {c.column_id: c for c in report.cells.all()}
    parsed = ParsedUpload()
    for table in document.tables:
        ws = _check_structure(wb, table)
        row = xlsx.HEADER_TOP + len(table.header_rows)
        for index, leaf in enumerate(table.leaves):
            if leaf.col_type == ColumnType.PERCENT:
                continue
            column = columns[(table.code, leaf.code)]
            cell = ws.cell(row=row, column=data.LEAD_COLUMNS + 1 + index)
            where = f"{ws.title}!{get_column_letter(cell.column)}{cell.row}"
            try:
                fields = _parse_cell(cell, column)
            except ValueError as exc:
                parsed.errors.append(f"{where}: {exc.args[0]}")
                continue
            stored = stored_cells.get(column.pk)
            if fields is None or not _changes(stored, fields):
                continue
            parsed.values[column.pk] = fields
            parsed.changes.append(
                Change(
                    ws.title,
                    where,
                    column.label_for(report.unit.level.name),
                    cells.display(stored, column.col_type),
                    cells.display(fields, column.col_type),
                )
            )
        if ws.cell(row=row + 1, column=data.LEAD_COLUMNS + 1).value is not None:
            parsed.errors.append(
                _("%(s)s: chỉ nhập một dòng số liệu của đơn vị.") % {"s": ws.title}
            )
    return parsed


# --- Pending changes and saving -------------------------------------------------


def to_pending(parsed, report):
    """A JSON-safe form of the parsed values to keep until the person confirms."""
    values = {}
    for column_id, fields in parsed.values.items():
        entry = dict(fields)
        if "num" in entry:
            entry["num"] = str(entry["num"])
        values[str(column_id)] = entry
    return {"report": report.pk, "revision": report.revision, "values": values}


@transaction.atomic
def apply_pending(report, pending, *, actor):
    """Save confirmed values through the draft's one writer, table by table:
    the editor's cleaning, limits and percentages, and each table's revision
    moves so an editor tab opened before gets the conflict view. Refuses a
    stale preview."""
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if pending["report"] != locked.pk or pending["revision"] != locked.revision:
        raise ImportRejected(
            _("Báo cáo đã được sửa từ khi xem trước; hãy tải tệp lên lại.")
        )
    if not locked.is_editable:
        raise ImportRejected(_("Báo cáo không còn ở trạng thái được sửa."))
    columns = {
        column.pk: column
        for column in TableColumn.objects.filter(
            table__template=locked.template, table__source=TableSource.ENTERED
        ).select_related("table")
    }
    parts = {}
    for column_id, fields in pending["values"].items():
        column = columns.get(int(column_id))
        if column is None:
            continue
        inputs = parts.setdefault(f"table:{column.table.code}", {})
        inputs.update(drafts.cell_inputs(column, fields))
    for key, inputs in parts.items():
        drafts.save_part(locked, key, inputs, base_revision=drafts.SERVER, actor=actor)
    report.refresh_from_db(fields=["revision"])
    return len(pending["values"])
