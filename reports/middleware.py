"""Answers around the views: bodies too large refused unread, a clear Vietnamese
503 when the database fails mid-request, private downloads."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _is_busy(exception):
    """SQLite's writer lock still held by others after the busy timeout: the
    database is there, only busy."""
    return "locked" in str(exception) or "busy" in str(exception)


def _what_happened(request, exception):
    """What the person's action did not do, by the page they were on."""
    name = getattr(request.resolver_match, "url_name", "")
    if name == "report_submit" and request.method == "POST":
        if _is_busy(exception):
            # This request did not submit; another one (a second tab) may have.
            return _(
                "Lần bấm nộp này chưa được thực hiện. Hãy mở lại trang báo cáo để "
                "xem báo cáo đã được nộp chưa (có thể từ một thẻ khác) rồi mới "
                "nộp lại."
            )
        return _(
            "Báo cáo chưa được nộp. Hãy mở lại trang báo cáo để xem trạng thái "
            "rồi nộp lại."
        )
    if name == "report_autosave":
        return _("Phần vừa sửa chưa được lưu; nội dung vẫn được giữ trên máy này.")
    if request.method == "POST":
        return _("Thao tác vừa rồi chưa được thực hiện; hãy thử lại.")
    return _("Trang chưa tải được; hãy tải lại sau ít phút.")


def declared_length(request):
    """The body length the client declared (Content-Length), 0 if none."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class RequestBodyLimitMiddleware:
    """Refuses a request whose declared body is larger than
    ``REQUEST_MAX_BYTES`` before anything reads it (a 2 GB upload was received
    and written to disk before "Tệp quá lớn"). The page needs no database.
    The proxy in front holds the same limit (``client_max_body_size``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if declared_length(request) > settings.REQUEST_MAX_BYTES:
            context = {
                "limit": filesizeformat(settings.REQUEST_MAX_BYTES),
                "upload_limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
            }
            response = HttpResponse(render_to_string("413.html", context), status=413)
            # The unread body must not be taken for the next request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection into a 503 page that needs no database.

    The transaction of the request was rolled back when the connection failed;
    the page says so instead of a bare server error. It is rendered without
    context processors (they would query the database again) and without
    details of the error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "Mất kết nối cơ sở dữ liệu khi xử lý %s %s",
            request.method,
            request.path,
            exc_info=exception,
        )
        if _is_busy(exception):
            title = _("Hệ thống đang bận, quá nhiều người lưu cùng lúc")
        else:
            title = _("Hệ thống cơ sở dữ liệu tạm thời gián đoạn")
        detail = _what_happened(request, exception)
        wants_json = request.content_type == "application/json" or (
            "application/json" in request.headers.get("Accept", "")
        )
        if wants_json:
            response = JsonResponse(
                {"ok": False, "message": f"{title}. {detail}"}, status=503
            )
        else:
            response = HttpResponse(
                render_to_string("503.html", {"title": title, "detail": detail}),
                status=503,
            )
        response["Retry-After"] = "30"
        return response


class PrivateDownloadsMiddleware:
    """Every download (a response that is an attachment: reports, exports,
    uploaded files) is ``Cache-Control: private, no-store``: a shared proxy or
    the browser's cache on an office computer keeps no copy of a unit's data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Disposition", "").startswith("attachment"):
            patch_cache_control(response, private=True, no_store=True)
        return response
