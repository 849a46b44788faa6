"""The audit log: who changed what and when, for administrators."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from .. import audit, permissions
from ..text import clean_query

PER_PAGE = 50


@login_required
def audit_log(request):
    if not permissions.is_admin(request.user):
        raise PermissionDenied
    model_key = request.GET.get("model", "")
    if model_key not in audit.AUDITED:
        model_key = ""
    username = clean_query(request.GET.get("user", ""), max_length=150)
    user_id = None
    unknown_user = False
    if username:
        user = get_user_model().objects.filter(username=username).first()
        unknown_user = user is None
        user_id = user.pk if user else -1
    rows = audit.recent_changes(model_key=model_key, user_id=user_id)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    models = [(key, model._meta.verbose_name) for key, model in audit.AUDITED.items()]
    return render(
        request,
        "reports/audit_log.html",
        {
            "page": page,
            "entries": audit.entries_for(list(page.object_list)),
            "models": models,
            "model_key": model_key,
            "username": username,
            "unknown_user": unknown_user,
        },
    )
