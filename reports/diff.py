"""What changed between two submitted versions of a report (pure functions).

Narrative text is compared word by word, appendix tables cell by cell, exemplary
models by identity. Inputs are plain data (version JSON, cell dicts, columns);
nothing here queries the database.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from . import cells as cell_contract
from .models import ColumnType

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
            if column.col_type == ColumnType.PERCENT:
                old, new = (
                    cell_contract.display(
                        None,
                        column.col_type,
                        computed=cell_contract.percent_of(column, c),
                    )
                    for c in (old_cells, new_cells)
                )
                cells.append(CellDiff(column, column.label_for(level_name), old, new))
                continue
            old_cell = old_cells.get(column.pk)
            new_cell = new_cells.get(column.pk)
            diff = CellDiff(
                column,
                column.label_for(level_name),
                cell_contract.display(old_cell, column.col_type),
                cell_contract.display(new_cell, column.col_type),
            )
            if column.col_type == ColumnType.DOCUMENTS:
                old_docs = {_doc_key(d): d for d in (old_cell or {}).get("docs") or []}
                new_docs = {_doc_key(d): d for d in (new_cell or {}).get("docs") or []}
                diff.docs_added = [
                    cell_contract.document_line(d)
                    for k, d in new_docs.items()
                    if k not in old_docs
                ]
                diff.docs_removed = [
                    cell_contract.document_line(d)
                    for k, d in old_docs.items()
                    if k not in new_docs
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
