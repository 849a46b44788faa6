"""What a report still lacks before it can be submitted."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import AttachmentKind, ReviewComment, TableSource


@dataclass(frozen=True)
class MissingItem:
    """One thing to fix; ``anchor`` is the id of the field on the editor page.

    ``url`` is set when the fix is on another page (a review comment to answer).
    """

    message: str
    anchor: str
    url: str = ""


def missing_items(report):
    """Everything that blocks submitting ``report``, in outline order."""
    template = report.template
    items = []
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
