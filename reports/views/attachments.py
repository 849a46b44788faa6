"""Files attached to a report: upload and list, download, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import attachments, permissions
from ..forms import AttachmentForm
from .extras import refuse_change


@login_required
def attachment_list(request, report_pk):
    report = permissions.get_report_for_user_or_404(request.user, report_pk)
    back = reverse("attachment_list", args=[report.pk])
    form = None
    if request.method == "POST":
        if refused := refuse_change(request, report, back):
            return refused
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            attachment = attachments.store_upload(
                report,
                form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                user=request.user,
            )
            messages.success(request, _("Đã tải lên “%s”.") % attachment.original_name)
            return redirect(back)
    can_edit = permissions.can_edit(request.user, report)
    if form is None and can_edit:
        form = AttachmentForm()
    files = report.attachments.select_related("uploaded_by", "exemplary_model")
    return render(
        request,
        "reports/attachment_list.html",
        {
            "report": report,
            "files": files,
            "form": form,
            "can_edit": can_edit,
            "extras_active": "attachments",
        },
    )


@login_required
@require_GET
def attachment_download(request, pk):
    attachment = permissions.get_attachment_for_user_or_404(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    # FileResponse writes the Vietnamese name as RFC 5987 filename*=utf-8''...
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_delete(request, pk):
    attachment = permissions.get_attachment_for_user_or_404(request.user, pk)
    back = reverse("attachment_list", args=[attachment.report_id])
    if refused := refuse_change(request, attachment.report, back):
        return refused
    attachments.delete_attachment(attachment)
    messages.success(request, _("Đã xóa tệp “%s”.") % attachment.original_name)
    if request.POST.get("back") == "model" and attachment.exemplary_model_id:
        back = reverse("model_edit", args=[attachment.exemplary_model_id])
    return redirect(back)
