"""What the pages attached to a report share: who may change them."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .. import permissions


def refuse_change(request, report, back_url):
    """``None`` when the user may change ``report``'s models, files, proposals.

    The unit's own staff get a message and ``back_url`` once the report is
    locked (submitted or approved); anyone else gets a 404, like a missing page.
    """
    user = request.user
    if permissions.can_edit(user, report):
        return None
    if user.is_active and permissions.is_staff_of(user, report.unit):
        messages.error(
            request,
            _(
                "Báo cáo đang ở trạng thái “%(status)s”: không thể thay đổi cho đến "
                "khi được trả lại hoặc mở lại để sửa."
            )
            % {"status": report.get_status_display()},
        )
        return redirect(back_url)
    raise Http404
