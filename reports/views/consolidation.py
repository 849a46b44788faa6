"""The consolidated appendix of a unit: one row per child unit plus the total."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from .. import permissions
from ..consolidation import consolidate
from ..models import Report
from ..prefill import is_stale
from ..rounds import current_round


@login_required
def consolidation_index(request):
    """Straight to the highest unit the user consolidates (deeper ones link on)."""
    unit = (
        permissions.consolidating_units(request.user)
        .filter(children__isnull=False)
        .order_by("depth", "path")
        .first()
    )
    if unit is None:
        raise Http404
    return redirect("consolidation", unit_pk=unit.pk)


@login_required
def consolidation(request, unit_pk):
    unit = permissions.get_consolidation_unit_or_404(request.user, unit_pk)
    round_ = current_round()
    if round_ is None:
        raise Http404
    include_submitted = request.GET.get("submitted") == "1"
    result = consolidate(unit, round_, include_submitted=include_submitted)
    own_report = None
    own_stale = False
    may_prefill = permissions.is_staff_of(request.user, unit)
    if may_prefill:
        own_report = Report.objects.filter(unit=unit, round=round_).first()
        own_stale = own_report is not None and is_stale(own_report)
    return render(
        request,
        "reports/consolidation.html",
        {
            "unit": unit,
            "round": round_,
            "result": result,
            "include_submitted": include_submitted,
            "may_prefill": may_prefill and result.template is not None,
            "own_report": own_report,
            "own_stale": own_stale,
        },
    )
