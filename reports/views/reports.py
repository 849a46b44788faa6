"""A unit's report: start it, edit it (with autosave), submit it, read it."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import permissions, workflow
from ..completeness import missing_items, unchanged_items
from ..drafts import (
    NotEditable,
    PartNotFound,
    SaveConflict,
    revision_from,
    save_part,
    start_report,
)
from ..models import ReportStatus, Role
from ..quality import check as quality
from ..rounds import current_round
from ..sheet import build_sheet


@login_required
def my_reports(request):
    round_ = current_round()
    units = permissions.units_with_role(request.user, Role.STAFF)
    reports = {}
    if round_ is not None and units:
        reports = {
            r.unit_id: r
            for r in round_.reports.filter(unit__in=units).select_related("template")
        }
    rows = [
        {"unit": unit, "report": reports.get(unit.pk)}
        for unit in units
        # Units that are not part of the round are not invited to report.
        if round_ is None or unit.pk in reports or unit.is_valid_on(round_.as_of)
    ]
    return render(request, "reports/my_reports.html", {"round": round_, "rows": rows})


@login_required
@require_POST
def report_start(request):
    round_ = current_round()
    units = {
        str(u.pk): u for u in permissions.units_with_role(request.user, Role.STAFF)
    }
    unit = units.get(request.POST.get("unit", ""))
    if unit is None or round_ is None:
        raise Http404
    if not unit.is_valid_on(round_.as_of):
        messages.error(
            request,
            _("%(unit)s không thuộc đợt báo cáo này (hệ thống đơn vị ngày %(date)s).")
            % {"unit": unit.name, "date": f"{round_.as_of:%d/%m/%Y}"},
        )
        return redirect("my_reports")
    report = start_report(unit, round_)
    if report is None:
        messages.error(request, _("Chưa có mẫu báo cáo nào áp dụng cho đơn vị này."))
        return redirect("my_reports")
    return redirect("report_edit", report.pk)


@login_required
def report_edit(request, pk):
    report = permissions.get_report_for_user_or_404(request.user, pk)
    if not permissions.can_edit(request.user, report):
        if permissions.is_staff_of(request.user, report.unit):
            messages.info(
                request,
                _(
                    "Báo cáo đang ở trạng thái “%(s)s”; chưa sửa được cho đến "
                    "khi được trả lại."
                )
                % {"s": report.get_status_display()},
            )
        return redirect(report)
    sheet = build_sheet(report)
    return render(
        request,
        "reports/report_edit.html",
        {
            "report": report,
            "sheet": sheet,
            "models": list(report.models.all()),
            "attachments": list(report.attachments.all()),
            "editor_messages": _editor_messages(),
        },
    )


def _editor_messages():
    return {
        "saving": _("Đang lưu…"),
        "unsaved": _("Có thay đổi chưa lưu"),
        "notSaved": _("Chưa lưu được – nội dung vẫn được giữ trên máy này"),
        "savedWithErrors": _(
            "Đã lưu lúc %s. Ô có lỗi (viền đỏ) được giữ nguyên như đã gõ nhưng "
            "chưa được tính; cần sửa trước khi nộp."
        ),
        "leave": _("Còn nội dung chưa lưu hoặc ô có lỗi. Rời trang?"),
        "complete": _("Đã đủ"),
        "incomplete": _("Chưa xong"),
        "optional": _("Không bắt buộc"),
        "offline": _(
            "Không kết nối được máy chủ. Nội dung vẫn được giữ trên máy này; "
            "hệ thống sẽ tự thử lại."
        ),
        "sessionExpired": _(
            "Phiên đăng nhập đã hết hạn. Nội dung vẫn được giữ trên máy này; hãy "
            "đăng nhập lại ở một thẻ khác rồi bấm “Thử lại”."
        ),
        "serverError": _(
            "Máy chủ gặp lỗi khi lưu. Nội dung vẫn được giữ trên máy này."
        ),
        "conflict": _("Có xung đột: phần này vừa được lưu ở nơi khác"),
        "serverCopy": _("Bản đang lưu trên máy chủ:"),
        "myCopy": _("Bản anh/chị vừa gõ:"),
        "localCopy": _("Bản nháp trên máy này:"),
        "keepMine": _("Giữ bản của tôi"),
        "takeServer": _("Dùng bản trên máy chủ"),
        "tookServer": _(
            "Đã thay bằng bản trên máy chủ. Bản của anh/chị vẫn hiện bên dưới để "
            "sao chép nếu cần."
        ),
        "restoreOffer": _(
            "Trên máy này còn một bản nháp chưa lưu của phần này (lúc %s). "
            "Khôi phục bản đó?"
        ),
        "restore": _("Khôi phục"),
        "discard": _("Bỏ qua"),
        "yes": _("Có"),
    }


def _autosave_input(request):
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return None
        if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
            return None
        return body.get("part"), body.get("base_revision"), body["fields"], True
    fields = {
        key: request.POST.getlist(key)[-1]
        for key in request.POST
        if key not in ("csrfmiddlewaretoken", "part", "base_revision", "_json")
    }
    # The page's script asks for JSON; sendBeacon cannot set headers, so it
    # says so in a field.
    wants_json = (
        "application/json" in request.headers.get("Accept", "")
        or "_json" in request.POST
    )
    return (
        request.POST.get("part"),
        request.POST.get("base_revision"),
        fields,
        wants_json,
    )


@require_POST
def report_autosave(request, pk):
    # No login redirect: the page must learn that the session expired and keep
    # the text.
    if not request.user.is_authenticated:
        return _session_expired()
    report = permissions.get_report_for_user_or_404(request.user, pk)
    parsed = _autosave_input(request)
    if parsed is None:
        return _refused(_("Dữ liệu gửi lên không hợp lệ."), 400)
    part, base, fields, wants_json = parsed
    if not permissions.is_staff_of(request.user, report.unit):
        return _refused(_("Anh/chị không có quyền sửa báo cáo này."), 403)
    base = revision_from(base)
    if base is None:
        return _refused(BAD_REVISION, 400)
    try:
        result = save_part(
            report, str(part or ""), fields, base_revision=base, actor=request.user
        )
    except PartNotFound:
        return _refused(_("Không có phần này."), 400)
    except NotEditable:
        payload = _locked_payload(report)
        return _answer(request, report, part, wants_json, 409, payload)
    except SaveConflict as conflict:
        payload = _conflict_payload(conflict)
        return _answer(request, report, part, wants_json, 409, payload)
    payload = _saved_payload(result)
    return _answer(request, report, part, wants_json, 200, payload)


BAD_REVISION = gettext_lazy(
    "Thiếu số phiên bản hoặc số phiên bản không hợp lệ; hãy tải "
    "lại trang (nội dung vẫn được giữ trên máy này)."
)


def _session_expired():
    return JsonResponse(
        {
            "ok": False,
            "login": True,
            "message": _(
                "Phiên đăng nhập đã hết hạn. Nội dung vẫn được giữ trên máy "
                "này; hãy đăng nhập lại ở một thẻ khác rồi bấm “Thử lại”."
            ),
        },
        status=401,
    )


def _refused(message, status):
    return JsonResponse({"ok": False, "message": str(message)}, status=status)


def _locked_payload(report):
    message = _(
        "Báo cáo đã ở trạng thái “%(s)s”, không sửa được nữa. Nội dung vừa gõ "
        "vẫn được giữ trên máy này."
    ) % {"s": report.get_status_display()}
    return {"locked": True, "message": message}


def _conflict_payload(conflict):
    return {
        "conflict": True,
        "message": str(conflict),
        "revision": conflict.revision,
        "server": conflict.fields,
    }


def _saved_payload(result):
    return {
        "ok": True,
        "revision": result.revision,
        "saved_at": result.saved_at,
        "message": _("Đã lưu lúc %(t)s") % {"t": result.saved_at},
        "errors": result.errors,
        "complete": result.complete,
        "computed": result.computed,
        "values": result.values,
    }


def _answer(request, report, part, wants_json, status, payload):
    if wants_json:
        payload.setdefault("ok", status == 200)
        return JsonResponse(payload, status=status)
    # A plain form post (no JavaScript): back to the editor with a message.
    if status == 200 and not payload["errors"]:
        messages.success(request, payload["message"])
    elif status == 200:
        messages.warning(
            request,
            _(
                "Đã lưu phần hợp lệ; các ô sau chưa hợp lệ (được giữ nguyên như "
                "đã gõ, cần sửa trước khi nộp): %(e)s"
            )
            % {"e": "; ".join(payload["errors"].values())},
        )
    else:
        messages.error(request, payload["message"])
    kind, _sep, code = str(part or "").partition(":")
    anchor = {"section": f"#section-{code}", "table": f"#table-{code}"}.get(kind, "")
    return redirect(reverse("report_edit", args=[report.pk]) + anchor)


def _submit(request, report):
    """Submit the report (with the explanations posted for its warnings)."""
    quality.explain_posted(report, request.POST, actor=request.user)
    try:
        workflow.submit_report(
            report,
            actor=request.user,
            expected_status=request.POST.get("expected_status") or None,
        )
    except workflow.SubmitBlocked as blocked:
        messages.error(request, str(blocked))
        return render(
            request,
            "reports/report_submit.html",
            {"report": report, "items": blocked.items},
            status=200,
        )
    except workflow.TransitionNotAllowed as exc:
        messages.error(request, str(exc))
        return redirect(report)
    messages.success(
        request,
        _("Đã nộp báo cáo lúc %(t)s. Báo cáo được khóa cho đến khi cấp trên trả lại.")
        % {"t": timezone.localtime(report.submitted_at).strftime("%H:%M %d/%m/%Y")},
    )
    return redirect(report)


@login_required
def report_submit(request, pk):
    report = permissions.get_report_for_user_or_404(request.user, pk)
    if not permissions.is_staff_of(request.user, report.unit):
        raise Http404
    if request.method == "POST":
        return _submit(request, report)
    items = warnings = []
    if report.is_editable:
        items = missing_items(report) + quality.blocking_items(report)
        warnings = unchanged_items(report)
    return render(
        request,
        "reports/report_submit.html",
        {"report": report, "items": items, "warnings": warnings},
    )


@login_required
def report_detail(request, pk):
    report = permissions.get_report_for_user_or_404(request.user, pk)
    version = None
    if not report.is_editable:
        version = report.versions.select_related("template").newest()
    sheet = build_sheet(report, version=version)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "sheet": sheet,
            "version": version,
            "can_edit": permissions.can_edit(request.user, report),
            "is_staff": permissions.is_staff_of(request.user, report.unit),
            "can_review": permissions.can_review(request.user, report),
            "events": list(report.events.select_related("actor")),
            "models_data": (
                version.models_data
                if version is not None
                else list(
                    report.models.values("name", "content_area", "unit_in_charge")
                )
            ),
            "statuses": ReportStatus,
        },
    )
