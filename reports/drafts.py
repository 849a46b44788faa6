"""The one writer of a report's draft: cells, section texts and the printed
header, one part at a time.

The editor's autosave, restoring a copy kept in the browser, the Excel import
and the pre-fill (and its refresh) all write through ``save_part``: the same
cleaning, limits, parsing (``cells``) and recomputed percentages, and every
write moves the part's revision. A save names the revision it started from; an
older one is refused with the server's copy (``SaveConflict``), so no tab
silently overwrites another or an import. What is refused is kept as typed in
``DraftPart.refused`` with its message, shown back on any device and blocking
submission until a valid value replaces it.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import cells
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

HEADER_FIELDS = {
    "document_number": 50,
    "signer_title": 200,
    "signer_name": 200,
    "recipients": 2000,
}
DOC_FIELDS = {"kind": 200, "number": 100, "date": 20, "summary": 1000}
TEXT_CELL_MAX = 5000
NOTE_MAX = 500
# The base revision of a server-side writer (Excel import, pre-fill) that has
# already decided what to write: no conflict check, but the revision moves so
# every tab opened before gets the conflict view.
SERVER = object()
MAX_REVISION = 2**31 - 1
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
    values: dict = field(default_factory=dict)


@dataclass
class _Outcome:
    """What a part's saver found: messages by input name, and which of them
    refuse a typed value (kept in ``DraftPart.refused``) rather than ask for
    something missing."""

    errors: dict = field(default_factory=dict)
    refused: set = field(default_factory=set)
    values: dict = field(default_factory=dict)
    computed: dict = field(default_factory=dict)
    complete: bool = False

    def refuse(self, name, message):
        self.errors[name] = message
        self.refused.add(name)


def _local_time(value):
    return timezone.localtime(value).strftime("%H:%M") if value else ""


def revision_from(raw):
    """A base revision as sent by a browser, or None when it is not one
    (``Infinity``, ``1e400``, null, a list, a negative or huge number…)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 10:
        raw = int(raw)
    if isinstance(raw, int) and 0 <= raw <= MAX_REVISION:
        return raw
    return None


def typed_text(value, *, checkbox=False):
    """What a person typed into one input, cleaned; None for what no input
    sends (a list, an object, or true/false anywhere but a checkbox)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("1" if value else "") if checkbox else None
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return clean_typed(value)
    return None


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
    """Save one part of ``report``'s draft from the flat ``data`` of its inputs.

    ``data`` maps input names to what was typed (as the editor posts them);
    ``base_revision`` is the part's revision the typing started from, or
    ``SERVER`` for a server-side writer. Inputs not in ``data`` are left alone.
    """
    kind, _sep, code = key.partition(":")
    saver = {"section": _save_section, "table": _save_table, "header": _save_header}
    if kind not in saver or (kind == "header") == bool(code):
        raise PartNotFound(key)
    typed, outcome = {}, _Outcome()
    for name, value in data.items():
        text = typed_text(value, checkbox=str(name).endswith(".no_data"))
        if text is None:
            outcome.errors[str(name)] = _("Giá trị gửi lên không hợp lệ.")
        else:
            typed[str(name)] = text
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
        if base_revision is not SERVER and part.revision != base_revision:
            raise SaveConflict(part, _server_copy(report, kind, target, part.refused))
        refused = _still_refused(part.refused, typed)
        saver[kind](report, target, typed, outcome, refused)
        for name in outcome.refused:
            refused[name] = {"value": typed[name], "message": outcome.errors[name]}
        now = timezone.now()
        part.revision += 1
        part.saved_at = now
        part.saved_by = actor
        part.refused = refused
        part.save(update_fields=["revision", "saved_at", "saved_by", "refused"])
        Report.objects.filter(pk=report.pk).update(
            revision=F("revision") + 1, last_activity_at=now
        )
    return SaveResult(
        key=key,
        revision=part.revision,
        saved_at=_local_time(now),
        errors=outcome.errors,
        complete=outcome.complete and not refused,
        computed=outcome.computed,
        values=outcome.values,
    )


def _still_refused(refused, typed):
    """The refused values this save does not touch: a name typed again is
    decided anew; a list of documents sent again replaces its rows."""
    lists = {name[: -len(".docs")] + ".d." for name in typed if name.endswith(".docs")}
    lists |= {f"c.{m['code']}.d." for m in map(_DOC_NAME.match, typed) if m}
    return {
        name: entry
        for name, entry in (refused or {}).items()
        if name not in typed and not any(name.startswith(prefix) for prefix in lists)
    }


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


def _server_copy(report, kind, target, refused):
    """The stored values of a part, named as the editor's inputs are; a value
    refused and kept is shown as it was typed."""
    if kind == "section":
        answer = Answer.objects.filter(report=report, section=target).first()
        fields = {
            "text": answer.text if answer else "",
            "shortcomings": answer.shortcomings if answer else "",
        }
    elif kind == "header":
        fields = {
            **{name: getattr(report, name) for name in HEADER_FIELDS},
            "document_date": cells.format_date(report.document_date),
        }
    else:
        fields = {}
        stored = {
            c.column_id: c
            for c in Cell.objects.filter(report=report, column__table=target)
        }
        for column in target.columns.exclude(col_type=""):
            cell = stored.get(column.pk)
            if cell is not None and column.col_type != ColumnType.PERCENT:
                fields.update(cell_inputs(column, cell))
    fields.update({name: entry["value"] for name, entry in (refused or {}).items()})
    return fields


def cell_inputs(column, cell):
    """A cell's stored value (a ``Cell`` or a dict of its fields) as the
    editor's inputs hold it, so that saving them back gives the same value."""
    get = cell.get if isinstance(cell, dict) else lambda k, d=None: getattr(cell, k)
    name = f"c.{column.code}"
    fields = {
        f"{name}.no_data": "1" if get("no_data", False) else "",
        f"{name}.note": get("note", "") or "",
    }
    if column.col_type == ColumnType.DOCUMENTS:
        fields[f"{name}.docs"] = "1"
        for i, doc in enumerate(get("docs", None) or []):
            for part in DOC_FIELDS:
                value = doc.get(part, "") or ""
                fields[f"{name}.d.{i}.{part}"] = (
                    cells.format_date(value) if part == "date" else value
                )
    elif column.col_type == ColumnType.YES_NO:
        fields[name] = {True: cells.YES, False: cells.NO}.get(get("flag", None), "")
    elif column.col_type == ColumnType.TEXT:
        fields[name] = get("text", "") or ""
    else:
        fields[name] = cells.input_text(get("num", None), column.col_type)
    return fields


def _too_long(limit, length=None):
    message = _("Quá dài: tối đa %(n)s ký tự.") % {"n": cells.format_number(limit)}
    if length is not None:
        message += " " + _(
            "Hiện có %(n)s ký tự; nội dung vẫn được giữ ở đây nhưng chưa được "
            "lưu vào báo cáo cho đến khi rút gọn."
        ) % {"n": cells.format_number(length)}
    return message


def _save_section(report, section, data, outcome, refused):
    answer, _created = Answer.objects.get_or_create(report=report, section=section)
    names = ["text"]
    if section.shape == AnswerShape.ACHIEVED_LIMITS:
        names.append("shortcomings")
    for name in names:
        if name not in data:
            continue
        value = data[name].replace("\r\n", "\n")
        data[name] = value
        if len(value) > section.max_length:
            outcome.refuse(name, _too_long(section.max_length, len(value)))
            continue
        setattr(answer, name, value)
    answer.save()
    outcome.complete = bool(answer.text.strip()) and (
        section.shape != AnswerShape.ACHIEVED_LIMITS
        or bool(answer.shortcomings.strip())
    )


def _save_header(report, _target, data, outcome, refused):
    changed = []
    for name, limit in HEADER_FIELDS.items():
        if name not in data:
            continue
        value = data[name].strip()
        if len(value) > limit:
            outcome.refuse(name, _too_long(limit))
            continue
        setattr(report, name, value)
        changed.append(name)
    if "document_date" in data:
        try:
            report.document_date = cells.parse_date(data["document_date"])
            changed.append("document_date")
        except ValidationError as exc:
            outcome.refuse("document_date", exc.messages[0])
    if changed:
        Report.objects.filter(pk=report.pk).update(
            **{name: getattr(report, name) for name in changed}
        )
    outcome.complete = bool(report.document_number and report.document_date)


def _flag(value):
    return str(value).lower() in ("1", "on", "true", "yes", "co")


def _save_table(report, table, data, outcome, refused):
    columns = [c for c in table.columns.all() if c.is_leaf]
    stored = {
        c.column_id: c for c in Cell.objects.filter(report=report, column__table=table)
    }
    docs_by_code = _doc_rows(data)
    before_states = {
        cell.pk: dict(zip(CELL_FIELDS, _cell_state(cell), strict=True))
        for cell in stored.values()
    }
    new, changed = [], []
    for column in columns:
        if column.col_type == ColumnType.PERCENT:
            continue
        name = f"c.{column.code}"
        cell = stored.get(column.pk) or Cell(report=report, column=column)
        before = _cell_state(cell)
        if f"{name}.no_data" in data or f"{name}.note" in data or name in data:
            cell.no_data = _flag(data.get(f"{name}.no_data", ""))
            note = data.get(f"{name}.note", "").strip()
            if len(note) > NOTE_MAX:
                outcome.refuse(f"{name}.note", _too_long(NOTE_MAX))
            else:
                cell.note = note
            if cell.no_data and not cell.note:
                outcome.errors[f"{name}.note"] = _(
                    "Đã đánh dấu “không có số liệu”: cần ghi rõ lý do."
                )
        _set_value(column, cell, name, data, docs_by_code, outcome)
        if _cell_state(cell) != before:
            (changed if cell.pk else new).append(cell)
            stored[column.pk] = cell
        if column.col_type in cells.ENTERED_NUMERIC and name in data:
            if name not in outcome.errors:
                outcome.values[name] = cells.input_text(cell.num, column.col_type)
    codes = {column.pk: column.code for column in columns}
    kept = set(refused) | outcome.refused
    for column in columns:
        if column.col_type != ColumnType.PERCENT:
            continue
        parts = (codes.get(column.numerator_id), codes.get(column.denominator_id))
        if any(f"c.{code}" in kept for code in parts if code):
            # A part typed but refused: no figure from the old value beside it.
            value = None
        else:
            value = cells.percent_of(column, stored)
        cell = stored.get(column.pk) or Cell(report=report, column=column)
        if cell.num != value or cell.pk is None:
            cell.num = value
            (changed if cell.pk else new).append(cell)
            stored[column.pk] = cell
        outcome.computed[f"c.{column.code}"] = cells.format_number(value)
    Cell.objects.bulk_create(new)
    if changed:
        # Only the fields that moved: a CASE over six fields of every cell
        # costs more than the rest of the save.
        fields = {
            name
            for cell in changed
            for name, value in zip(CELL_FIELDS, _cell_state(cell), strict=True)
            if value != before_states.get(cell.pk, {}).get(name)
        }
        Cell.objects.bulk_update(changed, sorted(fields or CELL_FIELDS))
    outcome.complete = all(
        column.pk in stored and cell_is_filled(stored[column.pk], column)
        for column in columns
        if column.required and column.col_type != ColumnType.PERCENT
    )


CELL_FIELDS = ("num", "text", "flag", "docs", "no_data", "note")


def _cell_state(cell):
    return tuple(getattr(cell, name) for name in CELL_FIELDS)


def _doc_rows(data):
    rows = {}
    for name, value in data.items():
        match = _DOC_NAME.match(name)
        if match and match["field"] in DOC_FIELDS:
            row = rows.setdefault(match["code"], {}).setdefault(int(match["i"]), {})
            row[match["field"]] = value.strip()
    return rows


def typed_value(column, raw):
    """The cell fields ``raw`` (what was typed, or a number read from Excel)
    gives a column that is not a list of documents: ``{"num": …}``,
    ``{"text": …}`` or ``{"flag": …}``. Raises ``ValidationError`` with a
    Vietnamese message."""
    col_type = column.col_type
    if col_type == ColumnType.YES_NO:
        return {"flag": cells.parse_flag(raw)}
    if col_type == ColumnType.TEXT:
        text = clean_typed(str(raw)).strip()
        if len(text) > TEXT_CELL_MAX:
            raise ValidationError(_too_long(TEXT_CELL_MAX), code="too_long")
        return {"text": text}
    if isinstance(raw, str):
        raw = raw.strip()
    return {"num": cells.parse_number(raw, col_type)}


def _set_value(column, cell, name, data, docs_by_code, outcome):
    if column.col_type == ColumnType.DOCUMENTS:
        if name + ".docs" in data or column.code in docs_by_code:
            cell.docs = _docs(name, docs_by_code.get(column.code, {}), outcome)
        return
    if name not in data:
        return
    try:
        fields = typed_value(column, data[name])
    except ValidationError as exc:
        outcome.refuse(name, exc.messages[0])
        return
    for attr, value in fields.items():
        setattr(cell, attr, value)


def _docs(name, rows, outcome):
    docs = []
    for i, row in sorted(rows.items()):
        if not any(row.values()):
            continue
        doc = {}
        for part, limit in DOC_FIELDS.items():
            value = row.get(part, "")
            field_name = f"{name}.d.{i}.{part}"
            if len(value) > limit:
                outcome.refuse(field_name, _too_long(limit))
                value = ""
            if part == "date" and value:
                try:
                    value = cells.parse_date(value).isoformat()
                except ValidationError as exc:
                    outcome.refuse(field_name, exc.messages[0])
                    value = ""
            doc[part] = value
        docs.append(doc)
    return docs
