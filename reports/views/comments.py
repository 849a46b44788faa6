"""The unit's side of review: answering comments, asking to reopen, diffs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions, workflow
from ..completeness import unchanged_answers
from ..diff import cells_as_dicts, diff_answers, diff_cells, diff_models
from ..models import EventAction, ReportStatus
from ..outline import table_layout
from ..review import report_comments as comments_of
from ..review_forms import AnswerForm, DiffForm, ReopenRequestForm


def _render_comments(request, report, forms=None, reopen_form=None, status=200):
    comments = comments_of(report)
    sent = [c for c in comments if c.is_sent]
    is_staff = permissions.is_staff_of(request.user, report.unit)
    can_answer = is_staff and report.status == ReportStatus.RETURNED
    forms = forms or {}
    unchanged = unchanged_answers(report)
    for comment in sent:
        comment.unchanged = comment.pk in unchanged
        if can_answer and not comment.resolved:
            comment.form = forms.get(comment.pk) or AnswerForm(
                initial={"response": comment.response, "fixed": comment.fixed},
                prefix=f"c{comment.pk}",
            )
    last_return = (
        report.events.filter(action=EventAction.RETURN)
        .select_related("actor", "version")
        .order_by("-created_at", "-pk")
        .first()
    )
    can_request = EventAction.REQUEST_REOPEN in workflow.allowed_transitions(
        report, request.user
    )
    context = {
        "report": report,
        "open_comments": [c for c in sent if not c.resolved],
        "closed_comments": [c for c in sent if c.resolved],
        "last_return": last_return,
        "can_answer": can_answer,
        "can_request_reopen": can_request,
        "reopen_form": reopen_form or (ReopenRequestForm() if can_request else None),
        "reopen_requests": report.reopen_requests.select_related(
            "requested_by", "decided_by"
        ),
        "can_review": permissions.can_review(request.user, report),
        "can_edit": permissions.can_edit(request.user, report),
        "has_versions": report.versions.count() > 1,
    }
    return render(request, "reports/review/comments.html", context, status=status)


@login_required
def report_comments(request, pk):
    report = permissions.get_report_for_user_or_404(request.user, pk)
    return _render_comments(request, report)


@login_required
@require_POST
def comment_answer(request, pk, comment_pk):
    report = permissions.get_report_for_user_or_404(request.user, pk)
    comment = get_object_or_404(report.review_comments, pk=comment_pk)
    form = AnswerForm(request.POST, prefix=f"c{comment.pk}")
    if not form.is_valid():
        messages.error(request, _("Chưa lưu câu trả lời: xem lỗi bên dưới."))
        return _render_comments(request, report, forms={comment.pk: form}, status=400)
    try:
        workflow.answer_comment(
            comment,
            actor=request.user,
            response=form.cleaned_data["response"],
            fixed=form.cleaned_data["fixed"],
        )
    except workflow.TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã lưu câu trả lời góp ý."))
    return redirect(reverse("report_comments", args=[report.pk]) + f"#c{comment.pk}")


@login_required
@require_POST
def reopen_request(request, pk):
    report = permissions.get_report_for_user_or_404(request.user, pk)
    form = ReopenRequestForm(request.POST)
    if not form.is_valid():
        return _render_comments(request, report, reopen_form=form, status=400)
    try:
        workflow.request_reopen(
            report,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            expected_status=ReportStatus.APPROVED,
        )
    except workflow.TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Đã gửi đề nghị mở lại; cấp trên sẽ xem xét và trả lời.")
        )
    return redirect("report_comments", pk=report.pk)


def _default_pair(report, numbers):
    """What changed since it was returned: the returned version vs the latest."""
    latest = numbers[-1]
    returned = (
        report.events.filter(action=EventAction.RETURN, version__isnull=False)
        .order_by("-created_at", "-pk")
        .values_list("version__number", flat=True)
        .first()
    )
    if returned is not None and returned != latest:
        return returned, latest
    return (numbers[-2] if len(numbers) > 1 else latest), latest


def _chosen_pair(request, versions, default):
    """The (old, new) version numbers asked for, or ``default`` (with a message)
    when the form is bad or names a version that does not exist."""
    form = DiffForm(request.GET)
    a, b = default
    if form.is_valid():
        a = form.cleaned_data["a"] or default[0]
        b = form.cleaned_data["b"] or default[1]
    if not form.is_valid() or a not in versions or b not in versions:
        messages.error(request, _("Không có lần nộp này; đang so sánh mặc định."))
        a, b = default
    return a, b


def _diff_of(report, old, new):
    """The differences between two versions, by sections, tables and models."""
    template = new.template
    level_name = report.unit.level.name
    sections = [(s.code, s.title, s.shape) for s in template.sections.all()]
    tables = [
        (t, table_layout(t, list(t.columns.all()), level_name).leaves)
        for t in template.tables.prefetch_related("columns")
    ]
    section_diffs = diff_answers(old.answers, new.answers, sections)
    table_diffs = diff_cells(
        cells_as_dicts(old.cells.all()),
        cells_as_dicts(new.cells.all()),
        tables,
        level_name,
    )
    model_diffs = diff_models(old.models_data, new.models_data)
    return {
        "sections": section_diffs,
        "sections_changed": any(s.changed for s in section_diffs),
        "tables": table_diffs,
        "tables_changed": any(t.changed_cells for t in table_diffs),
        "models": model_diffs,
        "models_changed": any(m.kind != "same" for m in model_diffs),
    }


@login_required
def report_diff(request, pk):
    report = permissions.get_report_for_user_or_404(request.user, pk)
    versions = {v.number: v for v in report.versions.select_related("created_by")}
    numbers = sorted(versions)
    if not numbers:
        raise Http404
    default = _default_pair(report, numbers)
    a, b = _chosen_pair(request, versions, default)
    old, new = versions[a], versions[b]
    context = {
        "report": report,
        "old": old,
        "new": new,
        "numbers": numbers,
        "is_default": (a, b) == default,
        **_diff_of(report, old, new),
        "return_comments": [
            c for c in comments_of(report) if c.is_sent and c.version_id == old.pk
        ],
        "can_review": permissions.can_review(request.user, report),
    }
    return render(request, "reports/review/diff.html", context)
