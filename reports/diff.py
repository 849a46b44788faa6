"""What changed between two submitted versions of a report (pure functions).

Narrative text is compared word by word, appendix tables cell by cell, exemplary
models by identity. Inputs are plain data (version JSON, cell dicts, columns);
nothing here queries the database.
"""

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import values

# Words (letters with Vietnamese diacritics, digits), single punctuation marks, and
# runs of whitespace: joining the tokens gives back the text exactly.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)

ANSWER_FIELDS = (
    ("text", gettext_lazy("Nội dung / kết quả đạt được")),
    ("shortcomings", gettext_lazy("Hạn chế, chưa được")),
)
MODEL_FIELDS = (
    ("name", gettext_lazy("Tên mô hình")),
    ("content_area", gettext_lazy("Nội dung")),
    ("unit_in_charge", gettext_lazy("Đơn vị chủ trì")),
    ("year_started", gettext_lazy("Năm bắt đầu")),
    ("description", gettext_lazy("Mô tả")),
    ("results", gettext_lazy("Kết quả")),
)


@dataclass(frozen=True)
class Segment:
    """A run of text that is ``equal``, ``insert`` (only new) or ``delete``."""

    kind: str
    text: str


def tokenize(text):
    return TOKEN.findall(text or "")


def diff_words(old, new):
    """Segments turning ``old`` into ``new``, word by word."""
    a, b = tokenize(old), tokenize(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    segments = []

    def add(kind, tokens):
        text = "".join(tokens)
        if not text:
            return
        if segments and segments[-1].kind == kind:
            segments[-1] = Segment(kind, segments[-1].text + text)
        else:
            segments.append(Segment(kind, text))

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return segments


def is_changed(segments):
    return any(s.kind != "equal" for s in segments)


@dataclass
class FieldDiff:
    label: str
    segments: list

    @property
    def changed(self):
        return is_changed(self.segments)


@dataclass
class SectionDiff:
    code: str
    title: str
    fields: list

    @property
    def changed(self):
        return any(f.changed for f in self.fields)


def diff_answers(old_answers, new_answers, sections):
    """One ``SectionDiff`` per section that takes an answer, in outline order.

    ``sections``: (code, title, shape) in order; answers: the versions' JSON.
    """
    result = []
    for code, title, shape in sections:
        if shape == "heading":
            continue
        old = old_answers.get(code) or {}
        new = new_answers.get(code) or {}
        fields = []
        for key, label in ANSWER_FIELDS:
            if key == "shortcomings" and shape != "achieved_limits":
                continue
            fields.append(
                FieldDiff(label, diff_words(old.get(key, ""), new.get(key, "")))
            )
        result.append(SectionDiff(code, title, fields))
    return result


# --- Tables ------------------------------------------------------------------------


def format_number(value):
    """As on every other page: 1.234.567,5 (at most two decimals, no trailing 0)."""
    if value is None:
        return ""
    return values.format_number(value, 2)


def format_doc(doc):
    parts = [doc.get("kind", ""), doc.get("number", "")]
    date = doc.get("date") or ""
    if len(date) == 10 and date[4] == "-":
        date = f"{date[8:10]}/{date[5:7]}/{date[0:4]}"
    parts.append(date)
    head = " ".join(p for p in parts if p)
    summary = doc.get("summary", "")
    return f"{head}: {summary}" if summary else head


def format_cell(cell, col_type):
    """A cell's value as printed; ``cell`` is a dict (num, text, flag, docs, …)."""
    if not cell:
        return ""
    if cell.get("no_data"):
        note = cell.get("note", "")
        return _("Không có số liệu") + (f" ({note})" if note else "")
    if col_type == "documents":
        return "; ".join(format_doc(d) for d in cell.get("docs") or [])
    if col_type == "yes_no":
        flag = cell.get("flag")
        return "" if flag is None else (_("Có") if flag else _("Không"))
    if col_type == "text":
        return cell.get("text", "")
    return format_number(cell.get("num"))


def percent_value(cells, column):
    """A percentage recomputed from its numerator and denominator cells."""
    num = (cells.get(column.numerator_id) or {}).get("num")
    den = (cells.get(column.denominator_id) or {}).get("num")
    if num is None or not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"))


@dataclass
class CellDiff:
    column: object
    label: str
    old: str
    new: str
    docs_added: list = field(default_factory=list)
    docs_removed: list = field(default_factory=list)

    @property
    def changed(self):
        return self.old != self.new


@dataclass
class TableDiff:
    table: object
    cells: list

    @property
    def changed_cells(self):
        return [c for c in self.cells if c.changed]


def _doc_key(doc):
    return tuple(doc.get(k, "") for k in ("kind", "number", "date", "summary"))


def diff_cells(old_cells, new_cells, tables, level_name=""):
    """Cell-by-cell comparison of the leaves of each table.

    ``old_cells`` / ``new_cells``: column id -> cell dict; ``tables``: (table,
    leaf columns) in order. Percent columns are recomputed on both sides.
    """
    result = []
    for table, leaves in tables:
        cells = []
        for column in leaves:
            if column.col_type == "percent":
                old = format_number(percent_value(old_cells, column))
                new = format_number(percent_value(new_cells, column))
                cells.append(CellDiff(column, column.label_for(level_name), old, new))
                continue
            old_cell = old_cells.get(column.pk)
            new_cell = new_cells.get(column.pk)
            diff = CellDiff(
                column,
                column.label_for(level_name),
                format_cell(old_cell, column.col_type),
                format_cell(new_cell, column.col_type),
            )
            if column.col_type == "documents":
                old_docs = {_doc_key(d): d for d in (old_cell or {}).get("docs") or []}
                new_docs = {_doc_key(d): d for d in (new_cell or {}).get("docs") or []}
                diff.docs_added = [
                    format_doc(d) for k, d in new_docs.items() if k not in old_docs
                ]
                diff.docs_removed = [
                    format_doc(d) for k, d in old_docs.items() if k not in new_docs
                ]
            cells.append(diff)
        result.append(TableDiff(table, cells))
    return result


# --- Exemplary models --------------------------------------------------------------


@dataclass
class ModelDiff:
    kind: str  # "added", "removed", "changed", "same"
    name: str
    fields: list = field(default_factory=list)


def _model_key(model):
    return model.get("id") or model.get("name")


def diff_models(old_models, new_models):
    """Models added, removed and changed (field by field, word by word)."""
    old = {_model_key(m): m for m in old_models}
    new = {_model_key(m): m for m in new_models}
    result = []
    for key, model in new.items():
        before = old.get(key)
        if before is None:
            result.append(ModelDiff("added", model.get("name", "")))
            continue
        fields = [
            FieldDiff(
                label,
                diff_words(str(before.get(k, "") or ""), str(model.get(k, "") or "")),
            )
            for k, label in MODEL_FIELDS
        ]
        changed = [f for f in fields if f.changed]
        result.append(
            ModelDiff("changed" if changed else "same", model.get("name", ""), changed)
        )
    for key, model in old.items():
        if key not in new:
            result.append(ModelDiff("removed", model.get("name", "")))
    return result


def cells_as_dicts(version_cells):
    """VersionCell rows -> column id -> cell dict (the shape the functions take)."""
    return {
        c.column_id: {
            "num": c.num,
            "text": c.text,
            "flag": c.flag,
            "docs": c.docs,
            "no_data": c.no_data,
            "note": c.note,
        }
        for c in version_cells
    }
