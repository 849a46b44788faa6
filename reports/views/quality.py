"""A draft's quality flags for the editor, and the unit's explanations of them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .. import permissions
from ..quality import check


def flag_json(flag):
    return {
        "key": flag.key,
        "kind": flag.kind,
        "blocking": flag.blocking,
        "message": flag.message,
        "cells": flag.cells,
        "table": flag.table,
        "explanation": flag.explanation,
    }


@login_required
def report_quality(request, pk):
    """GET: the draft's flags (JSON). POST: explanations (``giai-thich:<key>``)."""
    report = permissions.get_report_for_user_or_404(request.user, pk)
    if not permissions.is_staff_of(request.user, report.unit):
        raise Http404
    if request.method != "POST":
        flags = check.draft_flags(report) if report.is_editable else []
        return JsonResponse({"flags": [flag_json(f) for f in flags]})
    wants_json = "application/json" in request.headers.get("Accept", "")
    posted = any(name.startswith(check.EXPLANATION_FIELD) for name in request.POST)
    if not posted or not check.explain_posted(report, request.POST, actor=request.user):
        message = _("Không có cảnh báo này để giải thích (số liệu vừa thay đổi?).")
        if wants_json:
            return JsonResponse({"ok": False, "message": message}, status=400)
        messages.error(request, message)
    elif wants_json:
        return JsonResponse({"ok": True, "message": _("Đã lưu giải thích.")})
    else:
        messages.success(request, _("Đã lưu giải thích."))
    return redirect("report_submit", report.pk)
