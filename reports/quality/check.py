"""Quality flags of a draft (rules, outliers, explanations), what blocks its
submission, and the flags frozen with a submitted version."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..completeness import MissingItem
from ..models import Explanation, Severity, VersionFlag
from ..text import clean_query
from . import outliers, rules

MAX_EXPLANATION = 300


def draft_flags(report, *, outline=None):
    """Every flag of ``report``'s draft, blocking first, with its explanation."""
    outline = outline or rules.Outline.of(report.template)
    values = _draft_values(report, outline)
    flags = rules.evaluate(outline, values)
    flags += outliers.outlier_flags(outline, values, outliers.peer_values(report))
    explained = {}
    if any(not flag.blocking for flag in flags):
        explained = dict(report.quality_explanations.values_list("key", "text"))
    for flag in flags:
        flag.explanation = "" if flag.blocking else explained.get(flag.key, "")
    flags.sort(key=lambda f: not f.blocking)
    return flags


def _draft_values(report, outline):
    cells = {c.column_id: c for c in report.cells.all()}
    return rules.values_of(outline, cells, list(report.models.all()))


def blocking_items(report):
    """What stops submission: broken rules of the template, false blocking rules.

    Each item links to the first cell concerned on the editor page.
    """
    outline = rules.Outline.of(report.template)
    broken = outline.broken()
    if broken:
        return [
            MissingItem(
                _("Mẫu báo cáo có quy tắc kiểm tra bị lỗi, cần quản trị sửa: %(m)s")
                % {"m": message},
                "",
                reverse("report_detail", args=[report.pk]),
            )
            for message in broken
        ]
    return [
        MissingItem(
            _("Biểu %(t)s: %(m)s") % {"t": flag.table, "m": flag.message}, flag.anchor
        )
        for flag in rules.evaluate(outline, _draft_values(report, outline))
        if flag.blocking
    ]


def explain(report, key, text, *, actor):
    """Keep (or, with an empty ``text``, drop) the draft's explanation of ``key``."""
    # One line, NFC, no invisible or control characters (PostgreSQL refuses NUL).
    text = clean_query(" ".join(str(text or "").split()), 10 * MAX_EXPLANATION)
    text = " ".join(text.split())[:MAX_EXPLANATION]
    if not text:
        Explanation.objects.filter(report=report, key=key).delete()
        return None
    explanation, _created = Explanation.objects.update_or_create(
        report=report,
        key=key,
        defaults={"text": text, "written_by": actor, "written_at": timezone.now()},
    )
    return explanation


EXPLANATION_FIELD = "giai-thich:"


def explain_posted(report, data, *, actor):
    """Keep the explanations posted as ``giai-thich:<key>`` fields, for the
    draft's current warnings and outliers only; returns False if some other key
    was posted (a page older than the figures)."""
    posted = {
        name.removeprefix(EXPLANATION_FIELD): data.get(name, "")
        for name in data
        if name.startswith(EXPLANATION_FIELD)
    }
    if not posted or not report.is_editable:
        return not posted
    explainable = {f.key for f in draft_flags(report) if not f.blocking}
    for key, text in posted.items():
        if key in explainable:
            explain(report, key, text, actor=actor)
    return set(posted) <= explainable


def freeze_flags(report, version):
    """Store the draft's flags, with their explanations, on its new ``version``."""
    VersionFlag.objects.bulk_create(
        VersionFlag(
            version=version,
            key=flag.key,
            kind=flag.kind,
            severity=flag.severity,
            column_id=flag.column_id,
            cells=flag.cells,
            message=flag.message,
            peer_low=flag.peer_low,
            peer_high=flag.peer_high,
            peer_count=flag.peer_count,
            explanation=flag.explanation,
        )
        for flag in draft_flags(report)
    )


def warning_count(flags):
    return sum(1 for f in flags if f.severity == Severity.WARNING)
