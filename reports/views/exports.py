"""Downloads of official exports: a report's Excel/PDF/Word, consolidations, the blank
form and the sealed copy of an approved version."""

import io
import secrets

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import permissions
from ..exports import data, files, roundtrip
from ..forms import XlsxUploadForm
from ..models import ReportTemplate, Round
from ..outline import template_for_unit
from ..rounds import current_round
from ..text import clean_query


def _download(content, filename, fmt):
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=filename,
        content_type=files.CONTENT_TYPES[fmt],
    )


def _report_export(request, pk, fmt):
    report = permissions.get_report_for_user_or_404(request.user, pk)
    wants_draft = request.GET.get("ban-nhap") == "1"
    version = None if wants_draft else report.versions.newest()
    if version is not None:
        return _download(*files.version_export(version, fmt), fmt)
    if not permissions.is_staff_of(request.user, report.unit):
        raise Http404(_("Báo cáo chưa có phiên bản đã nộp."))
    return _download(*files.draft_export(report, fmt), fmt)


@require_GET
@login_required
def export_xlsx(request, pk):
    return _report_export(request, pk, "xlsx")


@require_GET
@login_required
def export_pdf(request, pk):
    return _report_export(request, pk, "pdf")


@require_GET
@login_required
def export_docx(request, pk):
    return _report_export(request, pk, "docx")


@require_GET
@login_required
# The printed form sets its column widths in style attributes (the same markup
# WeasyPrint renders); they carry computed numbers only, never user text.
@csp_update({"style-src": ["'unsafe-inline'"]})
def report_print_preview(request, pk):
    """The printed form on screen, from the same builder as the Excel and PDF."""
    report = permissions.get_report_for_user_or_404(request.user, pk)
    version = report.versions.newest()
    if version is not None:
        document = data.build_version_document(version)
    elif permissions.is_staff_of(request.user, report.unit):
        document = data.build_draft_document(report)
    else:
        raise Http404(_("Báo cáo chưa có phiên bản đã nộp."))
    return render(
        request,
        "reports/print_preview.html",
        {
            "report": report,
            "doc": document,
            "tables": [
                {"block": t, "rows": data.printed_rows(t)} for t in document.tables
            ],
        },
    )


def _round_from(request):
    code = clean_query(request.GET.get("dot", ""), max_length=50)
    if code:
        return get_object_or_404(Round, code=code)
    round_ = current_round()
    if round_ is None:
        raise Http404(_("Chưa có đợt báo cáo nào đang mở."))
    return round_


def _consolidated_export(request, pk, fmt):
    # Whoever may read a consolidation may download it (the provincial drafter too).
    unit = permissions.get_consolidation_unit_or_404(request.user, pk)
    round_ = _round_from(request)
    include_submitted = request.GET.get("ca-da-nop") == "1"
    try:
        result = files.consolidated_export(
            unit, round_, fmt, include_submitted=include_submitted
        )
    except files.ExportTooLarge as exc:
        messages.error(
            request,
            _(
                "Bản tổng hợp có %(n)s dòng đơn vị, quá lớn để tạo PDF trên trang "
                "web. Hãy tải bản Excel, hoặc nhờ quản trị chạy lệnh export_report."
            )
            % {"n": exc.args[0]},
        )
        return redirect("unit_detail", pk=unit.pk)
    return _download(*result, fmt)


@require_GET
@login_required
def export_consolidated_xlsx(request, pk):
    return _consolidated_export(request, pk, "xlsx")


@require_GET
@login_required
def export_consolidated_pdf(request, pk):
    return _consolidated_export(request, pk, "pdf")


@require_GET
@login_required
def export_consolidated_docx(request, pk):
    return _consolidated_export(request, pk, "docx")


@require_GET
@login_required
def export_blank_form(request):
    """The empty printable form of a template (default: the user's own)."""
    round_ = _round_from(request)
    code = clean_query(request.GET.get("mau", ""), max_length=50)
    unit = None
    if code:
        template = get_object_or_404(
            ReportTemplate, round=round_, code=code, is_current=True
        )
    else:
        memberships = permissions.memberships_of(request.user)
        unit = memberships[0].unit if memberships else None
        template = template_for_unit(round_, unit) if unit else None
        if template is None:
            template = get_object_or_404(
                ReportTemplate, round=round_, code="xa", is_current=True
            )
            unit = None
    fmt = "xlsx" if request.GET.get("dinh-dang") == "xlsx" else "pdf"
    return _download(*files.blank_export(template, fmt, unit), fmt)


@require_GET
@login_required
def sealed_copy_download(request, pk):
    """The sealed PDF of the approved version (made on first need, then frozen)."""
    report = permissions.get_report_for_user_or_404(request.user, pk)
    if report.approved_version_id is None:
        raise Http404(_("Báo cáo chưa được duyệt."))
    copy = files.seal_version(report.approved_version)
    with copy.file.open("rb") as handle:
        content = handle.read()
    response = _download(
        content,
        f"ban-luu-{report.unit.code}-{report.round.code}-"
        f"lan-{report.approved_version.number}.pdf",
        "pdf",
    )
    response["X-Content-SHA256"] = copy.sha256
    return response


# --- Excel round trip -----------------------------------------------------------

PENDING_KEY = "xlsx_import:"


def _editable_report(request, pk):
    report = permissions.get_report_for_user_or_404(request.user, pk)
    if not permissions.is_staff_of(request.user, report.unit):
        raise Http404
    return report


@require_GET
@login_required
def xlsx_template(request, pk):
    """The unit's tables as a pre-filled, protected Excel template."""
    report = _editable_report(request, pk)
    return _download(*roundtrip.build_template(report), "xlsx")


def _confirm_import(request, report, token):
    """Save the previewed import held in the session under ``token``."""
    pending = request.session.pop(PENDING_KEY + token, None)
    if pending is None or pending.get("report") != report.pk:
        messages.error(request, _("Phiên xem trước đã hết hạn; hãy tải tệp lên lại."))
        return redirect("xlsx_import", pk=report.pk)
    try:
        count = roundtrip.apply_pending(report, pending, actor=request.user)
    except roundtrip.ImportRejected as exc:
        messages.error(request, exc.args[0])
    else:
        messages.success(
            request, _("Đã lưu %(n)s ô số liệu từ tệp Excel.") % {"n": count}
        )
    return redirect("xlsx_import", pk=report.pk)


def _preview_import(request, report):
    """Read the uploaded file: the page's form, the preview and (when there is
    something to save and nothing wrong) the token that confirms it."""
    form = XlsxUploadForm(request.POST, request.FILES)
    context = {}
    if form.is_valid():
        try:
            parsed = roundtrip.parse_upload(report, form.cleaned_data["file"].read())
        except roundtrip.ImportRejected as exc:
            form.add_error("file", exc.args[0])
        else:
            context["parsed"] = parsed
            if parsed.changes and not parsed.errors:
                token = secrets.token_urlsafe(16)
                request.session[PENDING_KEY + token] = roundtrip.to_pending(
                    parsed, report
                )
                context["token"] = token
    context["form"] = form
    return context


@login_required
def xlsx_import(request, pk):
    """Upload a filled template, preview the changes, save only on confirm."""
    report = _editable_report(request, pk)
    context = {"report": report, "editable": permissions.can_edit(request.user, report)}
    if request.method == "POST" and context["editable"]:
        token = request.POST.get("token")
        if token:
            return _confirm_import(request, report, token)
        context.update(_preview_import(request, report))
    else:
        context["form"] = XlsxUploadForm()
    return render(request, "reports/xlsx_import.html", context)
