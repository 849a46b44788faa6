"""Unit pages: the units a user may see, and one unit with its children."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .. import permissions
from ..deadlines import effective_deadline
from ..models import Level
from ..rounds import current_round
from ..text import clean_query


@login_required
def unit_list(request):
    units = permissions.units_visible_to(request.user).select_related("level", "parent")
    level = clean_query(request.GET.get("level", ""), max_length=20)
    query = clean_query(request.GET.get("q", ""))
    if level:
        units = units.filter(level__code=level)
    if query:
        units = units.filter(name__icontains=query) | units.filter(code=query)
    page = Paginator(units, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/unit_list.html",
        {"page": page, "levels": Level.objects.all(), "level": level, "q": query},
    )


@login_required
def unit_detail(request, pk):
    unit = permissions.get_unit_for_user_or_404(request.user, pk)
    round_ = current_round()
    deadline = effective_deadline(unit, round_) if round_ else None
    children = unit.children.all()
    if round_ is not None:
        children = unit.children_as_of(round_.as_of)
    children = children.select_related("level").order_by("unit_type", "name")
    return render(
        request,
        "reports/unit_detail.html",
        {
            "unit": unit,
            "round": round_,
            "deadline": deadline,
            "children": children,
            "can_export_consolidated": round_ is not None
            and permissions.reviews_subtree_of(request.user, unit),
        },
    )
