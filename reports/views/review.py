"""Review pages: the reviewer's list, one report to review, bulk approval."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import permissions, workflow
from ..forms import parse_id
from ..models import ReportStatus, Role, TableColumn
from ..quality import reviewing as quality
from ..review import (
    STATUS_FILTERS,
    for_list,
    report_comments,
    reports_to_review,
    status_counts,
    version_sheet,
)
from ..review_forms import ActionForm, CommentForm
from ..rounds import current_round

PAGE_SIZE = 50


def _require_reviewer(user):
    if not (
        permissions.is_admin(user) or permissions.units_with_role(user, Role.REVIEWER)
    ):
        raise PermissionDenied


@login_required
def review_list(request):
    _require_reviewer(request.user)
    round_ = current_round()
    status = request.GET.get("status", "")
    if status not in STATUS_FILTERS:
        status = ""
    base = reports_to_review(request.user, round_)
    reports = for_list(base.filter(status=status) if status else base)
    reports = quality.with_flag_mark(reports)
    flagged = request.GET.get("canh-bao") == "1"
    if flagged:
        reports = reports.filter(quality_flagged=True)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    for report in page:
        report.can_approve = (
            report.status == ReportStatus.SUBMITTED
            and permissions.can_review(request.user, report)
        )
    return render(
        request,
        "reports/review/list.html",
        {
            "round": round_,
            "page": page,
            "status": status,
            "flagged": flagged,
            "counts": status_counts(base),
            "filters": STATUS_FILTERS,
        },
    )


def _wanted_versions(values):
    """{report pk: version number} from the ticked "pk:number" boxes."""
    wanted = {}
    for value in values:
        pk, _sep, number = (parse_id(part) for part in value.partition(":"))
        if pk and number:
            wanted[pk] = number
    return wanted


def _approve_each(request, reports, wanted):
    """Approve each report at the version ticked; the names of those approved
    (each refusal is a warning naming its unit)."""
    approved = []
    for report in reports:
        try:
            workflow.approve_report(
                report,
                actor=request.user,
                expected_status=ReportStatus.SUBMITTED,
                expected_version=wanted[report.pk],
            )
        except workflow.TransitionNotAllowed as exc:
            messages.warning(request, f"{report.unit.name}: {exc}")
        else:
            approved.append(report.unit.name)
    return approved


@login_required
@require_POST
def review_bulk_approve(request):
    _require_reviewer(request.user)
    wanted = _wanted_versions(request.POST.getlist("reports"))
    if not wanted:
        messages.warning(request, _("Chưa chọn báo cáo nào để duyệt."))
    found = permissions.reports_visible_to(request.user).filter(pk__in=wanted)
    approved = _approve_each(request, found, wanted)
    if approved:
        messages.success(
            request,
            _("Đã duyệt %(n)s báo cáo: %(names)s.")
            % {"n": len(approved), "names": ", ".join(approved)},
        )
    missing = len(wanted) - len(found)
    if missing > 0:
        messages.warning(request, _("%(n)s báo cáo không tìm thấy.") % {"n": missing})
    return redirect(_list_url(request.POST.get("status", "")))


def _list_url(status):
    url = reverse("review_list")
    return f"{url}?status={status}" if status in STATUS_FILTERS else url


def _get_reviewed_report(user, pk):
    """A report the user reviews (or, for an administrator, reads); else 404."""
    report = permissions.get_report_for_user_or_404(user, pk)
    if not (permissions.can_review(user, report) or permissions.is_admin(user)):
        raise Http404
    return report


@login_required
def review_report(request, pk):
    report = _get_reviewed_report(request.user, pk)
    return _render_review(request, report)


def _render_review(request, report, action_form=None, comment_form=None, status=200):
    version = report.versions.select_related("template", "created_by").newest()
    comments = report_comments(report)
    allowed = workflow.allowed_transitions(report, request.user)
    context = {
        "report": report,
        "version": version,
        "sheet": version_sheet(report, version, comments) if version else None,
        "allowed": allowed,
        "pending_reopen": workflow.pending_reopen_request(report),
        "events": report.events.select_related("actor", "version"),
        "action_form": action_form,
        "comment_form": comment_form,
        "draft_count": sum(1 for c in comments if not c.is_sent),
        "can_comment": report.status == ReportStatus.SUBMITTED
        and permissions.can_review(request.user, report),
        "attachment_url": _attachment_url_exists(),
    }
    return render(request, "reports/review/report.html", context, status=status)


def _attachment_url_exists():
    try:
        reverse("attachment_download", args=[1])
    except NoReverseMatch:
        return False
    return True


def _return(report, actor, data):
    workflow.return_report(
        report,
        actor=actor,
        reason=data["reason"],
        expected_version=data["expected_version"],
        expected_status=data["expected_status"],
    )
    return _("Đã trả lại báo cáo để đơn vị sửa.")


def _approve(report, actor, data):
    workflow.approve_report(
        report,
        actor=actor,
        comment=data["reason"],
        expected_version=data["expected_version"],
        expected_status=data["expected_status"],
    )
    return _("Đã duyệt báo cáo.")


def _reopen(report, actor, data):
    workflow.reopen_report(
        report,
        actor=actor,
        reason=data["reason"],
        expected_status=data["expected_status"],
    )
    return _("Đã mở lại báo cáo để đơn vị sửa.")


def _decide_reopen(accept, message):
    """The handler of a reviewer's answer to a unit's request to reopen."""

    def decide(report, actor, data):
        workflow.decide_reopen(
            report,
            actor=actor,
            accept=accept,
            note=data["reason"],
            expected_status=data["expected_status"],
        )
        return message

    return decide


# A reviewer's verb (``ActionForm.action``) -> the workflow call; each answers
# the message to show.
REVIEW_ACTIONS = {
    "return": _return,
    "approve": _approve,
    "reopen": _reopen,
    "accept_reopen": _decide_reopen(True, gettext_lazy("Đã đồng ý mở lại báo cáo.")),
    "refuse_reopen": _decide_reopen(
        False, gettext_lazy("Đã không đồng ý mở lại báo cáo.")
    ),
}


@login_required
@require_POST
def review_action(request, pk):
    report = _get_reviewed_report(request.user, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Chưa thực hiện: xem lỗi bên dưới."))
        return _render_review(request, report, action_form=form, status=400)
    act = REVIEW_ACTIONS[form.cleaned_data["action"]]
    try:
        message = act(report, request.user, form.cleaned_data)
    except workflow.AlreadyDone as exc:
        messages.info(request, str(exc))
    except workflow.TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, message)
    return redirect("review_report", pk=report.pk)


@login_required
@require_POST
def review_comment(request, pk):
    report = _get_reviewed_report(request.user, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Chưa lưu góp ý: xem lỗi bên dưới."))
        return _render_review(request, report, comment_form=form, status=400)
    column = None
    if form.cleaned_data["column"]:
        column = TableColumn.objects.filter(
            pk=form.cleaned_data["column"], table__template=report.template
        ).first()
        if column is None:
            form.add_error("column", _("Ô không có trong biểu của báo cáo."))
            return _render_review(request, report, comment_form=form, status=400)
    try:
        comment = workflow.add_comment(
            report,
            actor=request.user,
            text=form.cleaned_data["text"],
            section_code=form.cleaned_data["section"],
            column=column,
        )
    except workflow.TransitionNotAllowed as exc:
        form.add_error(None, str(exc))
        return _render_review(request, report, comment_form=form, status=409)
    messages.success(
        request, _("Đã lưu góp ý; góp ý được gửi cho đơn vị khi trả lại báo cáo.")
    )
    return redirect(reverse("review_report", args=[report.pk]) + f"#c{comment.pk}")
