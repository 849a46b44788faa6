"""Exemplary models of a report: list and add, edit, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import exemplary, permissions
from ..forms import ExemplaryModelForm
from .extras import refuse_change


def _save(request, report, form):
    """Save the model the valid form holds, with its attached file if any."""
    exemplary.save_model(
        report,
        form.save(commit=False),
        user=request.user,
        upload=form.cleaned_data["attachment"],
    )


@login_required
def model_list(request, report_pk):
    report = permissions.get_report_for_user_or_404(request.user, report_pk)
    # The form's choices and the II.2 summary both read the outline's sections.
    prefetch_related_objects([report.template], "sections")
    back = reverse("model_list", args=[report.pk])
    form = None
    if request.method == "POST":
        if refused := refuse_change(request, report, back):
            return refused
        form = ExemplaryModelForm(request.POST, request.FILES, report=report)
        if form.is_valid():
            _save(request, report, form)
            messages.success(request, _("Đã thêm mô hình điển hình."))
            return redirect(back)
    can_edit = permissions.can_edit(request.user, report)
    if form is None and can_edit:
        form = ExemplaryModelForm(report=report)
    models = list(report.models.prefetch_related("attachments"))
    return render(
        request,
        "reports/model_list.html",
        {
            "report": report,
            "models": models,
            "summary": exemplary.models_summary(models, report.template),
            "form": form,
            "can_edit": can_edit,
            "min_models": report.template.min_models,
            "extras_active": "models",
        },
    )


@login_required
def model_edit(request, pk):
    model = permissions.get_model_for_user_or_404(request.user, pk)
    report = model.report
    back = reverse("model_list", args=[report.pk])
    if refused := refuse_change(request, report, back):
        return refused
    if request.method == "POST":
        form = ExemplaryModelForm(
            request.POST, request.FILES, instance=model, report=report
        )
        if form.is_valid():
            _save(request, report, form)
            messages.success(request, _("Đã lưu mô hình “%s”.") % model.name)
            return redirect(back)
    else:
        form = ExemplaryModelForm(instance=model, report=report)
    return render(
        request,
        "reports/model_form.html",
        {
            "report": report,
            "model": model,
            "form": form,
            "files": model.attachments.all(),
            "extras_active": "models",
        },
    )


@login_required
@require_POST
def model_delete(request, pk):
    model = permissions.get_model_for_user_or_404(request.user, pk)
    back = reverse("model_list", args=[model.report_id])
    if refused := refuse_change(request, model.report, back):
        return refused
    exemplary.delete_model(model)
    messages.success(request, _("Đã xóa mô hình “%s”.") % model.name)
    return redirect(back)
