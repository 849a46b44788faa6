"""A unit's own report pre-filled from its children's approved reports.

The appendix cells start as the consolidation totals and each outline section
starts with the children's texts for that section, one attributed paragraph per
child. What was written is remembered (hashes), so a refresh replaces what the
unit left untouched and never overwrites what it edited: newer children's text
for an edited field waits beside it to be merged by hand.
"""

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import drafts, permissions
from .consolidation import SOURCE_APPROVED, consolidate
from .models import (
    ColumnType,
    PrefillField,
    PrefillSource,
    Report,
    ReportStatus,
    ReportVersion,
    Section,
    TableColumn,
    TableSource,
    Unit,
)
from .outline import template_for_unit

NUMERIC = (ColumnType.INTEGER, ColumnType.MONEY, ColumnType.AREA)


class PrefillNotAllowed(Exception):
    """The pre-fill cannot be made now; the message says why, in Vietnamese."""


def create_prefilled_report(unit, round_, *, actor):
    """Create ``unit``'s own report for ``round_`` as a draft, pre-filled.

    Only the unit's staff may. An existing report is filled the same way if it
    is still open for editing (its own text is kept, see the module docstring)
    and refused otherwise. Creating sets no status but draft.
    """
    if not (actor.is_active and permissions.is_staff_of(actor, unit)):
        raise PrefillNotAllowed(
            _("Chỉ cán bộ của %(unit)s mới tạo được báo cáo của đơn vị.")
            % {"unit": unit.name}
        )
    template = template_for_unit(round_, unit)
    if template is None:
        raise PrefillNotAllowed(_("Đơn vị này không có mẫu báo cáo cho đợt này."))
    with transaction.atomic():
        report, _created = Report.objects.get_or_create(
            unit=unit, round=round_, defaults={"template": template}
        )
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if not locked.is_editable:
            raise PrefillNotAllowed(
                _(
                    "Báo cáo của đơn vị đang ở trạng thái “%(status)s”; cần mở lại "
                    "báo cáo trước khi cập nhật từ báo cáo cấp dưới."
                )
                % {"status": locked.get_status_display()}
            )
        _fill(locked, unit, round_, actor=actor)
    return locked


def refresh_prefilled_report(report, *, actor):
    """Re-pull the children's approved reports into ``report``.

    Fields the unit has not edited since the last fill are replaced; edited ones
    are kept and the children's new content is set aside as pending.
    Returns the number of fields replaced and the number set aside.
    """
    if not permissions.can_edit(actor, report):
        raise PrefillNotAllowed(
            _(
                "Anh/chị không thể cập nhật báo cáo này (không có quyền sửa hoặc "
                "báo cáo không ở trạng thái đang soạn)."
            )
        )
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update().select_related("unit").get(pk=report.pk)
        )
        if not locked.is_editable:
            raise PrefillNotAllowed(_("Báo cáo không còn ở trạng thái đang soạn."))
        return _fill(locked, locked.unit, locked.round, actor=actor)


def dismiss_pending(report, key, *, actor):
    """Mark the children's new content of field ``key`` as merged by hand."""
    if not permissions.can_edit(actor, report):
        raise PrefillNotAllowed(_("Anh/chị không thể sửa báo cáo này."))
    field = PrefillField.objects.filter(report=report, key=key).first()
    if field is None or field.pending is None:
        return False
    field.source_hash = _hash(field.pending)
    field.pending = None
    field.save(update_fields=["source_hash", "pending", "updated_at"])
    return True


# --- Filling --------------------------------------------------------------------


@dataclass
class FillResult:
    replaced: int = 0
    pending: int = 0


def _fill(report, unit, round_, *, actor):
    result = consolidate(unit, round_)
    used = [row for row in result.rows if row.source == SOURCE_APPROVED]
    answers = dict(
        ReportVersion.objects.filter(pk__in=[row.version.pk for row in used])
        .values_list("pk", "answers")
        .order_by()
    )
    titles = {
        (template_id, code): title
        for template_id, code, title in Section.objects.filter(
            template_id__in={row.version.template_id for row in used}
        ).values_list("template_id", "code", "title")
    }
    fields = {f.key: f for f in report.prefill_fields.all()}
    answers_now = {a.section_id: a for a in report.answers.all()}
    cells = {c.column_id: c for c in report.cells.all()}
    # A value typed and refused (kept until fixed) is the unit's edit: the
    # children's new content waits beside it rather than replacing it.
    typed = dict(report.draft_parts.values_list("key", "refused"))
    outcome = FillResult()
    # What to write, by draft part, as the editor's inputs: written through
    # the one writer so each part's revision moves (an editor tab opened
    # before the fill gets the conflict view instead of saving over it).
    writes = {}

    for section in report.template.sections.all():
        if not section.takes_answer:
            continue
        parts = ["text"] + (
            ["shortcomings"] if section.shape == "achieved_limits" else []
        )
        answer = answers_now.get(section.pk)
        for part in parts:
            new = _attributed(used, answers, titles, section, part)
            key = f"section:{section.code}:{part}"
            current = getattr(answer, part) if answer else ""
            kept = (typed.get(f"section:{section.code}") or {}).get(part)
            if kept:
                current = kept["value"]
            if _apply(report, fields, key, current, new, outcome):
                writes.setdefault(f"section:{section.code}", {})[part] = new

    for table in result.tables:
        if table.table.source != TableSource.ENTERED:
            continue
        for column in table.layout.leaves:
            new = _cell_total(column, table)
            if new is None:
                continue
            key = f"cell:{column.pk}"
            cell = cells.get(column.pk)
            current = _cell_state(cell) if cell else None
            kept = (typed.get(f"table:{table.table.code}") or {}).get(
                f"c.{column.code}"
            )
            if kept:
                current = {"typed": kept["value"]}
            if _apply(report, fields, key, current, new, outcome):
                inputs = writes.setdefault(f"table:{table.table.code}", {})
                inputs.update(drafts.cell_inputs(column, {**_empty_cell(), **new}))

    for part, inputs in writes.items():
        drafts.save_part(report, part, inputs, base_revision=drafts.SERVER, actor=actor)
    report.refresh_from_db(fields=["revision"])
    now = timezone.now()
    PrefillSource.objects.filter(report=report).delete()
    PrefillSource.objects.bulk_create(
        PrefillSource(
            report=report,
            unit=row.unit,
            version=row.version,
            used_at=now,
            status=row.report.status,
        )
        for row in used
    )
    return outcome


def _apply(report, fields, key, current, new, outcome):
    """Decide one field; True when ``new`` is to be written into the draft."""
    record = fields.get(key)
    new_hash = _hash(new)
    if record is None:
        untouched = not current
        record = PrefillField(report=report, key=key)
    else:
        untouched = _hash(current) == record.inserted_hash
    if untouched:
        record.inserted_hash = new_hash
        record.source_hash = new_hash
        record.pending = None
        record.save()
        outcome.replaced += 1
        return True
    if new_hash != record.source_hash and new:
        record.pending = new
        outcome.pending += 1
    else:
        record.pending = None
    record.save()
    return False


def _attributed(used, answers, titles, section, part):
    """One paragraph per child that answered this section: "Huyện X: …"."""
    paragraphs = []
    for row in used:
        # Same code and same question: a member organisation's "I.1" asks
        # something else than the province's "I.1" and is not pasted under it.
        if titles.get((row.version.template_id, section.code)) != section.title:
            continue
        text = (answers[row.version.pk].get(section.code) or {}).get(part, "")
        if text and text.strip():
            paragraphs.append(f"{row.unit.name}: {text.strip()}")
    return "\n\n".join(paragraphs)


def _cell_total(column, table):
    """The draft cell the consolidation total becomes, or None to leave it alone.

    Yes/no columns ask about the unit itself (did the province organise it?),
    which a count of the children's answers cannot say: they stay for staff.
    """
    total = table.total.get(column.pk)
    if column.col_type in NUMERIC:
        return None if total is None else {"num": _num(total)}
    if column.col_type == ColumnType.TEXT:
        return {"text": total} if total else None
    if column.col_type == ColumnType.DOCUMENTS:
        docs = [doc for row in table.rows for doc in (row.values.get(column.pk) or [])]
        return {"docs": docs} if docs else None
    return None


def _empty_cell():
    return {
        "num": None,
        "text": "",
        "flag": None,
        "docs": [],
        "no_data": False,
        "note": "",
    }


def _cell_state(cell):
    """A draft cell as the same kind of dict ``_cell_total`` makes."""
    state = {
        "num": _num(cell.num) if cell.num is not None else None,
        "text": cell.text,
        "flag": cell.flag,
        "docs": cell.docs or [],
        "no_data": cell.no_data,
        "note": cell.note,
    }
    return {k: v for k, v in state.items() if v != _empty_cell()[k]}


def _num(value):
    # 100.0000 and 100 are the same number: hash them the same.
    return format(Decimal(value).normalize(), "f")


def _hash(value):
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if v != _empty_cell().get(k, object())}
    data = json.dumps(value or "", sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


# --- Reading --------------------------------------------------------------------


@dataclass
class SourceState:
    unit: Unit
    used_version: object | None
    current_version: object | None
    status: str
    reason: str

    @property
    def is_stale(self):
        return bool(self.reason)


def source_states(report):
    """Each child unit with the version used and what has happened since.

    A source is stale when its report was reopened (or is being revised), when
    a newer version was approved, or when a child's report was approved after
    the fill. Two queries whatever the number of children.
    """
    used = {
        s.unit_id: s for s in report.prefill_sources.select_related("unit", "version")
    }
    children = {}
    for child_report in (
        Report.objects.filter(
            round=report.round,
            unit__in=report.unit.children_as_of(report.round.as_of).values("pk"),
        )
        .select_related("unit", "approved_version")
        .order_by("unit__path")
    ):
        children[child_report.unit_id] = child_report
    states = []
    for unit_id, source in used.items():
        child = children.get(unit_id)
        if child is None or child.approved_version_id is None:
            reason = _("Báo cáo nguồn không còn được duyệt.")
        elif child.status != ReportStatus.APPROVED and source.status != child.status:
            reason = _("Báo cáo nguồn đã được mở lại (“%(status)s”).") % {
                "status": child.get_status_display()
            }
        elif child.approved_version_id != source.version_id:
            reason = _("Có phiên bản mới được duyệt (lần nộp %(n)s).") % {
                "n": child.approved_version.number
            }
        else:
            reason = ""
        states.append(
            SourceState(
                unit=source.unit,
                used_version=source.version,
                current_version=child.approved_version if child else None,
                status=child.get_status_display() if child else "",
                reason=reason,
            )
        )
    for unit_id, child in children.items():
        if unit_id in used or child.approved_version_id is None:
            continue
        states.append(
            SourceState(
                unit=child.unit,
                used_version=None,
                current_version=child.approved_version,
                status=child.get_status_display(),
                reason=_("Báo cáo mới được duyệt sau lần điền sẵn."),
            )
        )
    return states


def is_stale(report):
    """True when some source changed since the report was last filled."""
    return any(state.is_stale for state in source_states(report))


def pending_fields(report):
    """Fields whose children's content changed after the unit edited them."""
    return list(report.prefill_fields.filter(pending__isnull=False).order_by("key"))


def field_labels(report, fields):
    """A readable name for each field key ("Mục I.1 – hạn chế", "Biểu 1.2, …")."""
    sections = {s.code: s for s in report.template.sections.all()}
    column_ids = [int(f.key.split(":")[1]) for f in fields if f.key.startswith("cell:")]
    columns = {
        c.pk: c
        for c in TableColumn.objects.filter(pk__in=column_ids).select_related("table")
    }
    labels = {}
    for field in fields:
        kind, _sep, rest = field.key.partition(":")
        if kind == "section":
            code, _sep, part = rest.partition(":")
            section = sections.get(code)
            title = f"{code}. {section.title}" if section else code
            if part == "shortcomings":
                title = _("%(title)s – hạn chế, chưa được") % {"title": title}
            labels[field.key] = _("Mục %(title)s") % {"title": title}
        else:
            column = columns.get(int(rest))
            labels[field.key] = (
                _("Biểu %(table)s, cột “%(column)s”")
                % {
                    "table": column.table.code,
                    "column": column.label_for(report.unit.level.name),
                }
                if column
                else field.key
            )
    return labels
