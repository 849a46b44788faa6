"""Starting a report and saving its draft one part at a time (autosave).

A part is the printed header, one outline section or one appendix table. Each
save names the revision of the part it started from; an older one is refused
with the server's copy (``SaveConflict``), so no tab silently overwrites
another. Valid fields are saved even when others are refused; the refused ones
come back with a message each.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .completeness import cell_is_filled
from .models import (
    Answer,
    AnswerShape,
    Cell,
    ColumnType,
    DraftPart,
    Report,
    TableSource,
)
from .outline import template_for_unit
from .text import clean_typed
from .values import format_date, format_number, parse_date, parse_number, percent

HEADER_FIELDS = {
    "document_number": 50,
    "signer_title": 200,
    "signer_name": 200,
    "recipients": 2000,
}
DOC_FIELDS = {"kind": 200, "number": 100, "date": 20, "summary": 1000}
TEXT_CELL_MAX = 5000
NOTE_MAX = 500
_DOC_NAME = re.compile(r"^c\.(?P<code>[\w-]+)\.d\.(?P<i>\d+)\.(?P<field>\w+)$")


class PartNotFound(Exception):
    """The part named by the request does not exist in the report's template."""


class NotEditable(Exception):
    """The report is no longer open for editing (submitted in another tab…)."""


class SaveConflict(Exception):
    """The part changed since the person opened it; carries the server's copy."""

    def __init__(self, part, fields):
        super().__init__(
            _(
                "Phần này vừa được lưu từ một thẻ hoặc máy khác (lúc %(time)s). "
                "Bản của anh/chị chưa được lưu; hãy so sánh hai bản bên dưới rồi "
                "chọn bản giữ lại."
            )
            % {"time": _local_time(part.saved_at)}
        )
        self.revision = part.revision
        self.fields = fields


@dataclass
class SaveResult:
    key: str
    revision: int
    saved_at: str
    errors: dict = field(default_factory=dict)
    complete: bool = False
    computed: dict = field(default_factory=dict)


def _local_time(value):
    return timezone.localtime(value).strftime("%H:%M") if value else ""


def start_report(unit, round_):
    """The unit's report for ``round_``, created from its template if need be.

    Returns None when no template of the round applies to the unit.
    """
    template = template_for_unit(round_, unit)
    if template is None:
        return None
    report, _created = Report.objects.get_or_create(
        unit=unit, round=round_, defaults={"template": template}
    )
    return report


def save_part(report, key, data, *, base_revision, actor):
    """Save one part of ``report``'s draft from the flat ``data`` of its inputs."""
    kind, _sep, code = key.partition(":")
    data = {
        name: clean_typed(value) if isinstance(value, str) else value
        for name, value in data.items()
    }
    saver = {"section": _save_section, "table": _save_table, "header": _save_header}
    if kind not in saver or (kind == "header") == bool(code):
        raise PartNotFound(key)
    with transaction.atomic():
        status = (
            Report.objects.select_for_update()
            .filter(pk=report.pk)
            .values_list("status", flat=True)
            .first()
        )
        report.status = status
        if not report.is_editable:
            raise NotEditable(report.get_status_display())
        target = _target(report, kind, code)
        part, _created = DraftPart.objects.select_for_update().get_or_create(
            report=report, key=key
        )
        if part.revision != base_revision:
            raise SaveConflict(part, _server_copy(report, kind, target))
        errors, complete, computed = saver[kind](report, target, data)
        now = timezone.now()
        part.revision += 1
        part.saved_at = now
        part.saved_by = actor
        part.save(update_fields=["revision", "saved_at", "saved_by"])
        Report.objects.filter(pk=report.pk).update(
            revision=F("revision") + 1, last_activity_at=now
        )
    return SaveResult(
        key=key,
        revision=part.revision,
        saved_at=_local_time(now),
        errors=errors,
        complete=complete,
        computed=computed,
    )


def _target(report, kind, code):
    if kind == "section":
        section = report.template.sections.filter(code=code).first()
        if section is None or section.shape == AnswerShape.HEADING:
            raise PartNotFound(code)
        return section
    if kind == "table":
        table = report.template.tables.filter(
            code=code, source=TableSource.ENTERED
        ).first()
        if table is None:
            raise PartNotFound(code)
        return table
    return None


def _server_copy(report, kind, target):
    """The stored values of a part, named as the editor's inputs are."""
    if kind == "section":
        answer = Answer.objects.filter(report=report, section=target).first()
        return {
            "text": answer.text if answer else "",
            "shortcomings": answer.shortcomings if answer else "",
        }
    if kind == "header":
        return {
            **{name: getattr(report, name) for name in HEADER_FIELDS},
            "document_date": format_date(report.document_date),
        }
    fields = {}
    cells = {
        c.column_id: c for c in Cell.objects.filter(report=report, column__table=target)
    }
    for column in target.columns.exclude(col_type=""):
        cell = cells.get(column.pk)
        name = f"c.{column.code}"
        if cell is None:
            continue
        fields[f"{name}.no_data"] = cell.no_data
        fields[f"{name}.note"] = cell.note
        if column.col_type == ColumnType.DOCUMENTS:
            for i, doc in enumerate(cell.docs or []):
                for part in DOC_FIELDS:
                    value = doc.get(part, "")
                    fields[f"{name}.d.{i}.{part}"] = (
                        format_date(value) if part == "date" else value
                    )
        elif column.col_type == ColumnType.YES_NO:
            fields[name] = {True: "co", False: "khong"}.get(cell.flag, "")
        elif column.col_type == ColumnType.TEXT:
            fields[name] = cell.text
        elif cell.num is not None:
            fields[name] = format_number(cell.num).replace(".", "")
    return fields


def _too_long(limit):
    return _("Quá dài: tối đa %(n)s ký tự.") % {"n": format_number(limit)}


def _save_section(report, section, data):
    errors = {}
    answer, _created = Answer.objects.get_or_create(report=report, section=section)
    names = ["text"]
    if section.shape == AnswerShape.ACHIEVED_LIMITS:
        names.append("shortcomings")
    for name in names:
        if name not in data:
            continue
        value = str(data[name]).replace("\r\n", "\n")
        if len(value) > section.max_length:
            errors[name] = (
                _too_long(section.max_length)
                + " "
                + _("Hiện có %(n)s ký tự; phần này chưa được lưu.")
                % {"n": format_number(len(value))}
            )
            continue
        setattr(answer, name, value)
    answer.save()
    complete = bool(answer.text.strip()) and (
        section.shape != AnswerShape.ACHIEVED_LIMITS
        or bool(answer.shortcomings.strip())
    )
    return errors, complete, {}


def _save_header(report, _target, data):
    errors = {}
    changed = []
    for name, limit in HEADER_FIELDS.items():
        if name not in data:
            continue
        value = str(data[name]).strip()
        if len(value) > limit:
            errors[name] = _too_long(limit)
            continue
        setattr(report, name, value)
        changed.append(name)
    if "document_date" in data:
        try:
            report.document_date = parse_date(data["document_date"])
            changed.append("document_date")
        except ValidationError as exc:
            errors["document_date"] = exc.messages[0]
    if changed:
        Report.objects.filter(pk=report.pk).update(
            **{name: getattr(report, name) for name in changed}
        )
    complete = bool(report.document_number and report.document_date)
    return errors, complete, {}


def _flag(value):
    return str(value).lower() in ("1", "on", "true", "yes", "co")


def _save_table(report, table, data):
    errors = {}
    columns = [c for c in table.columns.all() if c.is_leaf]
    cells = {
        c.column_id: c for c in Cell.objects.filter(report=report, column__table=table)
    }
    docs_by_code = _doc_rows(data)
    new, changed = [], []
    for column in columns:
        if column.col_type == ColumnType.PERCENT:
            continue
        name = f"c.{column.code}"
        cell = cells.get(column.pk)
        if cell is None:
            cell = Cell(report=report, column=column)
        before = _cell_state(cell)
        if f"{name}.no_data" in data or f"{name}.note" in data or name in data:
            cell.no_data = _flag(data.get(f"{name}.no_data", ""))
            note = str(data.get(f"{name}.note", "")).strip()
            if len(note) > NOTE_MAX:
                errors[f"{name}.note"] = _too_long(NOTE_MAX)
            else:
                cell.note = note
            if cell.no_data and not cell.note:
                errors[f"{name}.note"] = _(
                    "Đã đánh dấu “không có số liệu”: cần ghi rõ lý do."
                )
        _set_value(column, cell, name, data, docs_by_code, errors)
        if _cell_state(cell) != before:
            (changed if cell.pk else new).append(cell)
            cells[column.pk] = cell
    computed = {}
    for column in columns:
        if column.col_type != ColumnType.PERCENT:
            continue
        num, den = cells.get(column.numerator_id), cells.get(column.denominator_id)
        value = percent(_usable(num), _usable(den))
        cell = cells.get(column.pk) or Cell(report=report, column=column)
        if cell.num != value or cell.pk is None:
            cell.num = value
            (changed if cell.pk else new).append(cell)
            cells[column.pk] = cell
        computed[f"c.{column.code}"] = format_number(value, 2)
    Cell.objects.bulk_create(new)
    Cell.objects.bulk_update(
        changed, ["num", "text", "flag", "docs", "no_data", "note"]
    )
    complete = all(
        column.pk in cells and cell_is_filled(cells[column.pk], column)
        for column in columns
        if column.required and column.col_type != ColumnType.PERCENT
    )
    return errors, complete, computed


def _usable(cell):
    """A part of a percentage: nothing when missing or marked "no data"."""
    return None if cell is None or cell.no_data else cell.num


def _cell_state(cell):
    return (cell.num, cell.text, cell.flag, cell.docs, cell.no_data, cell.note)


def _doc_rows(data):
    rows = {}
    for name, value in data.items():
        match = _DOC_NAME.match(name)
        if match and match["field"] in DOC_FIELDS:
            row = rows.setdefault(match["code"], {}).setdefault(int(match["i"]), {})
            row[match["field"]] = str(value).strip()
    return rows


def _set_value(column, cell, name, data, docs_by_code, errors):
    col_type = column.col_type
    if col_type == ColumnType.DOCUMENTS:
        if name + ".docs" not in data and column.code not in docs_by_code:
            return
        docs = []
        for i, row in sorted(docs_by_code.get(column.code, {}).items()):
            if not any(row.values()):
                continue
            doc = {}
            for part, limit in DOC_FIELDS.items():
                value = row.get(part, "")
                field_name = f"{name}.d.{i}.{part}"
                if len(value) > limit:
                    errors[field_name] = _too_long(limit)
                    value = ""
                if part == "date" and value:
                    try:
                        value = parse_date(value).isoformat()
                    except ValidationError as exc:
                        errors[field_name] = exc.messages[0]
                        value = ""
                doc[part] = value
            docs.append(doc)
        cell.docs = docs
        return
    if name not in data:
        return
    raw = str(data[name]).strip()
    if col_type == ColumnType.YES_NO:
        if raw not in ("", "co", "khong"):
            errors[name] = _("Chọn “Có” hoặc “Không”.")
            return
        cell.flag = {"co": True, "khong": False}.get(raw)
    elif col_type == ColumnType.TEXT:
        if len(raw) > TEXT_CELL_MAX:
            errors[name] = _too_long(TEXT_CELL_MAX)
            return
        cell.text = raw
    else:
        try:
            value = parse_number(raw)
        except ValidationError as exc:
            errors[name] = exc.messages[0]
            return
        if value is not None and value < 0:
            errors[name] = _("Không nhập số âm.")
            return
        if (
            value is not None
            and col_type == ColumnType.INTEGER
            and value != value.to_integral()
        ):
            errors[name] = _("Cột này chỉ nhận số nguyên (không có phần lẻ).")
            return
        cell.num = value
