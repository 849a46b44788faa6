"""The progress cockpit, deadline extensions and manual reminders."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..cockpit import PAGE_SIZE, build_cockpit, page_details
from ..deadlines import ExtensionRefused, effective_deadline, grant_extension
from ..forms import ExtensionForm, ReminderForm, parse_id
from ..models import Extension
from ..reminders import manual_reminders, send_reminders
from ..rounds import current_round
from ..timeliness import Timeliness


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    # A path of this site only: redirect() would take "cockpit" for a view name.
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        )
    ):
        return target
    return default


def _open_round():
    round_ = current_round()
    if round_ is None:
        raise Http404(_("Không có đợt báo cáo nào đang mở."))
    return round_


@login_required
def cockpit(request):
    if not permissions.can_use_cockpit(request.user):
        raise PermissionDenied(_("Trang tiến độ dành cho cán bộ thẩm định."))
    round_ = _open_round()
    scope = permissions.reviewable_units(request.user)
    filters = {
        "level": request.GET.get("level", ""),
        "parent": parse_id(request.GET.get("parent")),
        "status": request.GET.get("status", ""),
    }
    try:
        data = build_cockpit(round_, scope, **filters)
    except LookupError as exc:
        raise Http404 from exc
    page = Paginator(data.items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/cockpit.html",
        {
            "round": round_,
            "data": data,
            "page": page,
            "rows": page_details(round_, page.object_list),
            "filters": filters,
            "levels": data.all_levels,
            "statuses": Timeliness.choices,
            "query": query.urlencode(),
            "next_here": quote(request.get_full_path(), safe=""),
            "today": timezone.localdate(),
        },
    )


def _grant(request, round_, unit, form):
    """Grant the extension the form asks for; False (the reason put on the form)
    when it is refused."""
    data = form.cleaned_data
    try:
        grant_extension(
            round_,
            unit,
            actor=request.user,
            new_date=data["new_date"],
            reason=data["reason"],
        )
    except ExtensionRefused as exc:
        form.add_error(None, str(exc))
        return False
    messages.success(
        request,
        _("Đã gia hạn cho %(unit)s đến hết ngày %(date)s.")
        % {"unit": unit.name, "date": f"{data['new_date']:%d/%m/%Y}"},
    )
    return True


@login_required
def extension_grant(request, unit_pk):
    unit = permissions.get_unit_for_user_or_404(request.user, unit_pk)
    if not permissions.can_grant_extension(request.user, unit):
        raise PermissionDenied(_("Anh/chị không có quyền gia hạn cho đơn vị này."))
    round_ = _open_round()
    current = effective_deadline(unit, round_)
    form = ExtensionForm(request.POST or None, current=current)
    back = _next_url(request, reverse("cockpit"))
    if request.method == "POST" and form.is_valid():
        if _grant(request, round_, unit, form):
            return redirect(back)
    return render(
        request,
        "reports/extension_form.html",
        {
            "unit": unit,
            "round": round_,
            "current": current,
            "form": form,
            "next": back,
            "previous": Extension.objects.filter(round=round_, unit=unit)
            .select_related("granted_by")
            .order_by("-granted_at"),
        },
    )


@login_required
def extension_list(request):
    round_ = _open_round()
    extensions = (
        Extension.objects.filter(
            round=round_, unit__in=permissions.units_visible_to(request.user)
        )
        .select_related("unit__parent", "granted_by")
        .order_by("-granted_at", "-pk")
    )
    page = Paginator(extensions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "reports/extension_list.html", {"round": round_, "page": page}
    )


@login_required
@require_POST
def reminder_send(request):
    if not permissions.can_use_cockpit(request.user):
        raise PermissionDenied(_("Chỉ cán bộ thẩm định được gửi nhắc nhở."))
    round_ = _open_round()
    back = _next_url(request, reverse("cockpit"))
    form = ReminderForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["units"]))
        return redirect(back)
    ids = set(form.cleaned_data["units"])
    units = list(
        permissions.reviewable_units(request.user)
        .as_of(round_.as_of)
        .filter(pk__in=ids)
    )
    if len(units) != len(ids):
        raise Http404
    today = timezone.localdate()
    owed, submitted, repeated = manual_reminders(round_, units, today)
    outcomes = send_reminders(round_, owed, today=today, sent_by=request.user)
    _report_reminders(request, outcomes, submitted, repeated)
    return redirect(back)


def _report_reminders(request, outcomes, submitted, repeated):
    sent = [o.reminder.unit.name for o in outcomes if o.sent]
    unsent = [o for o in outcomes if not o.sent]
    if sent:
        messages.success(
            request,
            _("Đã gửi nhắc nhở tới %(n)s đơn vị: %(names)s.")
            % {"n": len(sent), "names": ", ".join(sent)},
        )
    for outcome in unsent:
        messages.warning(
            request,
            _("Không gửi được cho %(unit)s: %(why)s.")
            % {"unit": outcome.reminder.unit.name, "why": outcome.note},
        )
    for outcome in outcomes:
        if outcome.reminder.without_email:
            messages.info(
                request,
                _("%(unit)s: bỏ qua tài khoản không có e-mail (%(users)s).")
                % {
                    "unit": outcome.reminder.unit.name,
                    "users": ", ".join(outcome.reminder.without_email),
                },
            )
    if submitted:
        messages.info(
            request,
            _("Bỏ qua %(n)s đơn vị đã nộp báo cáo.") % {"n": len(submitted)},
        )
    if repeated:
        messages.info(
            request,
            _(
                "Bỏ qua %(n)s đơn vị đã được nhắc hôm nay (mỗi đơn vị chỉ nhắc thủ "
                "công một lần mỗi ngày): %(names)s."
            )
            % {
                "n": len(repeated),
                "names": ", ".join(item.unit.name for item in repeated),
            },
        )
