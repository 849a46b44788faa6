"""What a report still lacks before it can be submitted."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    AttachmentKind,
    Cell,
    DraftPart,
    ReviewComment,
    TableColumn,
    TableSource,
    VersionCell,
)


@dataclass(frozen=True)
class MissingItem:
    """One thing to fix; ``anchor`` is the id of the field on the editor page.

    ``url`` is set when the fix is on another page (a review comment to answer).
    """

    message: str
    anchor: str
    url: str = ""
    refused: bool = False


def missing_items(report):
    """Everything that blocks submitting ``report``, in outline order."""
    template = report.template
    items = refused_items(report)
    answers = {a.section_id: a for a in report.answers.all()}
    if not template.requires_written_report:
        for section in template.sections.all():
            if not (section.takes_answer and section.required):
                continue
            answer = answers.get(section.pk)
            if answer is None or not answer.text.strip():
                items.append(
                    MissingItem(
                        _("Mục %(code)s chưa có nội dung.") % {"code": section.code},
                        f"section-{section.code}",
                    )
                )
            elif section.shape == "achieved_limits" and not answer.shortcomings.strip():
                items.append(
                    MissingItem(
                        _("Mục %(code)s chưa nêu hạn chế, chưa được.")
                        % {"code": section.code},
                        f"section-{section.code}-shortcomings",
                    )
                )
    if template.tables_required:
        cells = {c.column_id: c for c in report.cells.all()}
        for table in template.tables.filter(source=TableSource.ENTERED):
            for column in table.columns.all():
                if not column.is_leaf or column.col_type == "percent":
                    continue
                if not column.required:
                    continue
                cell = cells.get(column.pk)
                if cell is None or not cell_is_filled(cell, column):
                    if cell is not None and cell.no_data:
                        message = _(
                            "Biểu %(table)s, cột “%(column)s”: đã đánh dấu “không "
                            "có số liệu” nhưng chưa ghi lý do."
                        )
                    else:
                        message = _(
                            "Biểu %(table)s, cột “%(column)s”: chưa nhập hoặc "
                            "chưa đánh dấu “không có số liệu”."
                        )
                    items.append(
                        MissingItem(
                            message
                            % {
                                "table": table.code,
                                "column": column.label_for(report.unit.level.name),
                            },
                            f"cell-{table.code}-{column.code}",
                        )
                    )
    model_count = report.models.count()
    if model_count < template.min_models:
        items.append(
            MissingItem(
                _("Cần ít nhất %(n)s mô hình điển hình tiên tiến.")
                % {"n": template.min_models},
                "models",
            )
        )
    kinds = set(report.attachments.values_list("kind", flat=True))
    if template.requires_signed_scan and AttachmentKind.SIGNED_SCAN not in kinds:
        items.append(
            MissingItem(
                _("Chưa tải lên bản báo cáo có chữ ký, đóng dấu (PDF)."), "attachments"
            )
        )
    if template.requires_written_report and AttachmentKind.WRITTEN_REPORT not in kinds:
        items.append(
            MissingItem(_("Chưa tải lên báo cáo bằng văn bản."), "attachments")
        )
    items.extend(unanswered_comment_items(report))
    return items


def unanswered_comment_items(report):
    """The reviewer's comments of the last return the unit has not answered yet."""
    comments = ReviewComment.objects.filter(
        report=report, event__isnull=False, resolved=False, fixed=False, response=""
    ).select_related("column")
    return [
        MissingItem(
            _("Chưa trả lời góp ý: “%(text)s”.") % {"text": _shorten(c.text)},
            f"comment-{c.pk}",
            reverse("report_comments", args=[report.pk]) + f"#c{c.pk}",
        )
        for c in comments
    ]


def refused_items(report):
    """Each value typed and refused (kept as typed, not yet in the report)."""
    parts = [
        (key, refused)
        for key, refused in DraftPart.objects.filter(report=report)
        .order_by("pk")
        .values_list("key", "refused")
        if refused
    ]
    if not parts:
        return []
    columns = {
        (column.table.code, column.code): column
        for column in TableColumn.objects.filter(table__template=report.template)
        .select_related("table")
        .only("code", "label", "table__code")
    }
    level_name = report.unit.level.name
    items = []
    for key, refused in parts:
        kind, _sep, code = key.partition(":")
        for name, entry in refused.items():
            where, anchor = _refused_place(kind, code, name, columns, level_name)
            items.append(
                MissingItem(
                    _("%(where)s: “%(value)s” chưa được lưu – %(message)s")
                    % {
                        "where": where,
                        "value": _shorten(str(entry.get("value", "")), 40),
                        "message": entry.get("message", ""),
                    },
                    anchor,
                    refused=True,
                )
            )
    return items


def _refused_place(kind, code, name, columns, level_name):
    """A readable place and the editor's anchor of a refused input."""
    if kind == "table":
        column_code = name.removeprefix("c.").split(".")[0]
        column = columns.get((code, column_code))
        label = column.label_for(level_name) if column else column_code
        return (
            _("Biểu %(table)s, cột “%(column)s”") % {"table": code, "column": label},
            f"cell-{code}-{column_code}",
        )
    if kind == "section":
        return _("Mục %(code)s") % {"code": code}, f"section-{code}-{name}"
    return _("Thông tin văn bản"), f"f-{name}"


def unchanged_answers(report):
    """Review comments pinned to a cell whose value did not change since the
    version that was returned: {comment pk: comment}.

    An open comment answered "Đã sửa" is compared with the draft; a closed one
    with the version submitted after the return.
    """
    comments = [
        c
        for c in ReviewComment.objects.filter(
            report=report, event__isnull=False, column__isnull=False
        ).select_related("version")
        if c.resolved or c.fixed
    ]
    if not comments:
        return {}
    numbers = {c.version.number for c in comments}
    numbers |= {n + 1 for n in numbers}
    versions = dict(
        report.versions.filter(number__in=numbers).values_list("number", "pk")
    )
    values = {
        (cell.version_id, cell.column_id): _state(cell)
        for cell in VersionCell.objects.filter(
            version_id__in=versions.values(),
            column_id__in={c.column_id for c in comments},
        )
    }
    draft = {
        cell.column_id: _state(cell)
        for cell in Cell.objects.filter(
            report=report, column_id__in={c.column_id for c in comments}
        )
    }
    unchanged = {}
    for comment in comments:
        returned = values.get((comment.version_id, comment.column_id))
        if comment.resolved:
            later = versions.get(comment.version.number + 1)
            if later is None:
                continue
            now = values.get((later, comment.column_id))
        else:
            now = draft.get(comment.column_id)
        if now == returned:
            unchanged[comment.pk] = comment
    return unchanged


def unchanged_items(report):
    """Warnings for the submit page: cells answered "Đã sửa" but not changed."""
    return [
        MissingItem(
            _("Góp ý “%(text)s”: %(notice)s")
            % {"text": _shorten(comment.text), "notice": UNCHANGED},
            f"comment-{comment.pk}",
            reverse("report_comments", args=[report.pk]) + f"#c{comment.pk}",
        )
        for comment in unchanged_answers(report).values()
        if not comment.resolved
    ]


UNCHANGED = gettext_lazy("Giá trị ô này chưa thay đổi so với bản bị trả lại.")


def _state(cell):
    return (cell.num, cell.text, cell.flag, cell.docs, cell.no_data, cell.note)


def _shorten(text, length=80):
    return text if len(text) <= length else text[: length - 1] + "…"


def cell_is_filled(cell, column):
    if cell.no_data:
        return bool(cell.note.strip())
    if column.col_type == "documents":
        return bool(cell.docs)
    if column.col_type == "yes_no":
        return cell.flag is not None
    if column.col_type == "text":
        return bool(cell.text.strip())
    return cell.num is not None
