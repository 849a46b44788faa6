"""The pre-filled report: create it, refresh it, see where it came from.

Creating and refreshing are for the unit's own staff (at the province, the Ban
Phong trào - Tuyên giáo staff who draft the provincial report): the report is
theirs to edit, and a refresh rewrites draft text. Reviewers of the unit read
the consolidation but neither edit nor (through the gate) see the unit's own
report, so they do not trigger it; anyone who may read the report sees its
sources and whether they are stale.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..prefill import (
    PrefillNotAllowed,
    create_prefilled_report,
    dismiss_pending,
    field_labels,
    pending_fields,
    refresh_prefilled_report,
    source_states,
)
from ..rounds import current_round
from ..text import clean_query


@login_required
@require_POST
def prefill_create(request, unit_pk):
    unit = permissions.get_consolidation_unit_or_404(request.user, unit_pk)
    round_ = current_round()
    if round_ is None:
        raise Http404
    try:
        report = create_prefilled_report(unit, round_, actor=request.user)
    except PrefillNotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("consolidation", unit_pk=unit.pk)
    messages.success(
        request,
        _("Đã tạo báo cáo của đơn vị, điền sẵn từ %(n)s báo cáo cấp dưới đã duyệt.")
        % {"n": report.prefill_sources.count()},
    )
    return redirect("prefill_status", pk=report.pk)


@login_required
@require_POST
def prefill_refresh(request, pk):
    report = permissions.get_report_for_user_or_404(request.user, pk)
    try:
        outcome = refresh_prefilled_report(report, actor=request.user)
    except PrefillNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Đã cập nhật: %(replaced)s mục thay bằng nội dung mới; %(pending)s "
                "mục anh/chị đã sửa được giữ nguyên, nội dung mới để bên cạnh."
            )
            % {"replaced": outcome.replaced, "pending": outcome.pending},
        )
    return redirect("prefill_status", pk=report.pk)


@login_required
@require_POST
def prefill_dismiss(request, pk):
    report = permissions.get_report_for_user_or_404(request.user, pk)
    try:
        done = dismiss_pending(
            report, clean_query(request.POST.get("key", "")), actor=request.user
        )
    except PrefillNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        if done:
            messages.success(request, _("Đã đánh dấu là đã gộp nội dung mới."))
        else:
            messages.info(request, _("Mục này không còn nội dung mới chờ gộp."))
    return redirect("prefill_status", pk=report.pk)


@login_required
def prefill_status(request, pk):
    report = permissions.get_report_for_user_or_404(request.user, pk)
    states = source_states(report)
    pending = pending_fields(report)
    current = _current_texts(report, pending)
    labels = field_labels(report, pending)
    return render(
        request,
        "reports/prefill_status.html",
        {
            "report": report,
            "states": states,
            "stale": any(s.is_stale for s in states),
            "pending": [
                (field, labels[field.key], current.get(field.key)) for field in pending
            ],
            "may_refresh": permissions.can_edit(request.user, report),
        },
    )


def _current_texts(report, pending):
    """The draft's text of each pending section field, to show side by side."""
    wanted = {f.key for f in pending if f.key.startswith("section:")}
    if not wanted:
        return {}
    texts = {}
    for answer in report.answers.select_related("section"):
        for part in ("text", "shortcomings"):
            key = f"section:{answer.section.code}:{part}"
            if key in wanted:
                texts[key] = getattr(answer, part)
    return texts
