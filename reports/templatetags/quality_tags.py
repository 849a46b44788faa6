"""Quality flags on pages: a draft's (editor, submit) and a version's (review)."""

from django import template
from django.utils.translation import gettext as _

from ..models import FlagKind, Severity
from ..quality import check, reviewing

register = template.Library()


@register.simple_tag
def draft_quality_flags(report):
    """The draft's flags that ask for an explanation (warnings and outliers)."""
    return [f for f in check.draft_flags(report) if not f.blocking]


@register.simple_tag
def quality_editor_messages():
    """What static/js/quality.js says, in Vietnamese."""
    return {
        "saving": _("Đang lưu giải thích…"),
        "saved": _("Đã lưu giải thích."),
        "notSaved": _("Chưa lưu được giải thích; hãy thử lại."),
        "placeholder": _("Giải thích một dòng (đi cùng lần nộp)"),
        "explain": _("Giải thích cảnh báo"),
        "summary": _(
            "Kiểm tra số liệu: %(b)s lỗi phải sửa trước khi nộp, "
            "%(w)s cảnh báo cần giải thích."
        ),
    }


@register.simple_tag
def version_quality_flags(version):
    """The flags frozen with a submitted version (review page)."""
    return reviewing.version_flags(version) if version is not None else []


@register.simple_tag
def consolidation_quality(result):
    """Rule failures of each child's version and of the consolidated totals, and
    the cells to mark ([version, "table:column", message, blocking])."""
    flags = reviewing.child_flags(result)
    rows, marks = [], []
    for row in result.rows:
        if row.version is None:
            continue
        found = flags.get(row.version.pk, [])
        rules = [f for f in found if f.kind == FlagKind.RULE]
        rows.append(
            {
                "row": row,
                "blocking": sum(1 for f in rules if f.severity == Severity.BLOCKING),
                "warnings": sum(1 for f in rules if f.severity == Severity.WARNING),
                "outliers": len(found) - len(rules),
            }
        )
        marks += [
            [
                row.version.pk,
                f"{f.column.table.code}:{f.column.code}",
                f.message,
                f.severity == Severity.BLOCKING,
            ]
            for f in found
            if f.column_id
        ]
    return {
        "rows": rows,
        "blocking": sum(r["blocking"] for r in rows),
        "warnings": sum(r["warnings"] for r in rows),
        "outliers": sum(r["outliers"] for r in rows),
        "totals": reviewing.total_failures(result),
        "marks": marks,
    }
