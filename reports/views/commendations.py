"""Commendation proposals (đề xuất khen thưởng) of a report: list, edit, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..forms import USUAL_AWARDS, CommendationForm
from ..models import Commendation
from .extras import refuse_change


@login_required
def commendation_list(request, report_pk):
    report = permissions.get_report_for_user_or_404(request.user, report_pk)
    back = reverse("commendation_list", args=[report.pk])
    form = None
    if request.method == "POST":
        if refused := refuse_change(request, report, back):
            return refused
        form = CommendationForm(request.POST, instance=Commendation(report=report))
        if form.is_valid():
            form.save()
            messages.success(request, _("Đã thêm đề xuất khen thưởng."))
            return redirect(back)
    can_edit = permissions.can_edit(request.user, report)
    if form is None and can_edit:
        form = CommendationForm()
    return render(
        request,
        "reports/commendation_list.html",
        {
            "report": report,
            "commendations": report.commendations.all(),
            "form": form,
            "can_edit": can_edit,
            "usual_awards": USUAL_AWARDS,
            "extras_active": "commendations",
        },
    )


@login_required
def commendation_edit(request, pk):
    commendation = permissions.get_commendation_for_user_or_404(request.user, pk)
    report = commendation.report
    back = reverse("commendation_list", args=[report.pk])
    if refused := refuse_change(request, report, back):
        return refused
    form = CommendationForm(request.POST or None, instance=commendation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã lưu đề xuất khen thưởng."))
        return redirect(back)
    return render(
        request,
        "reports/commendation_form.html",
        {
            "report": report,
            "commendation": commendation,
            "form": form,
            "usual_awards": USUAL_AWARDS,
            "extras_active": "commendations",
        },
    )


@login_required
@require_POST
def commendation_delete(request, pk):
    commendation = permissions.get_commendation_for_user_or_404(request.user, pk)
    back = reverse("commendation_list", args=[commendation.report_id])
    if refused := refuse_change(request, commendation.report, back):
        return refused
    commendation.delete()
    messages.success(request, _("Đã xóa đề xuất khen thưởng “%s”.") % commendation.name)
    return redirect(back)
