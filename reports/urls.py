from django.urls import path

from .views import (
    attachments,
    audit,
    commendations,
    comments,
    exemplary,
    home,
    reports,
    review,
    units,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("don-vi/", units.unit_list, name="unit_list"),
    path("don-vi/<int:pk>/", units.unit_detail, name="unit_detail"),
    path("bao-cao/", reports.my_reports, name="my_reports"),
    path("bao-cao/bat-dau/", reports.report_start, name="report_start"),
    path("bao-cao/<int:pk>/", reports.report_detail, name="report_detail"),
    path("bao-cao/<int:pk>/soan/", reports.report_edit, name="report_edit"),
    path("bao-cao/<int:pk>/luu/", reports.report_autosave, name="report_autosave"),
    path("bao-cao/<int:pk>/nop/", reports.report_submit, name="report_submit"),
    path("bao-cao/<int:report_pk>/mo-hinh/", exemplary.model_list, name="model_list"),
    path("mo-hinh/<int:pk>/sua/", exemplary.model_edit, name="model_edit"),
    path("mo-hinh/<int:pk>/xoa/", exemplary.model_delete, name="model_delete"),
    path(
        "bao-cao/<int:report_pk>/tep/",
        attachments.attachment_list,
        name="attachment_list",
    ),
    path(
        "tep/<int:pk>/tai-ve/",
        attachments.attachment_download,
        name="attachment_download",
    ),
    path("tep/<int:pk>/xoa/", attachments.attachment_delete, name="attachment_delete"),
    path(
        "bao-cao/<int:report_pk>/khen-thuong/",
        commendations.commendation_list,
        name="commendation_list",
    ),
    path(
        "khen-thuong/<int:pk>/sua/",
        commendations.commendation_edit,
        name="commendation_edit",
    ),
    path(
        "khen-thuong/<int:pk>/xoa/",
        commendations.commendation_delete,
        name="commendation_delete",
    ),
    path("nhat-ky/", audit.audit_log, name="audit_log"),
    path("tham-dinh/", review.review_list, name="review_list"),
    path(
        "tham-dinh/duyet-nhieu/",
        review.review_bulk_approve,
        name="review_bulk_approve",
    ),
    path("tham-dinh/<int:pk>/", review.review_report, name="review_report"),
    path("tham-dinh/<int:pk>/thao-tac/", review.review_action, name="review_action"),
    path("tham-dinh/<int:pk>/gop-y/", review.review_comment, name="review_comment"),
    path("bao-cao/<int:pk>/gop-y/", comments.report_comments, name="report_comments"),
    path(
        "bao-cao/<int:pk>/gop-y/<int:comment_pk>/tra-loi/",
        comments.comment_answer,
        name="comment_answer",
    ),
    path(
        "bao-cao/<int:pk>/de-nghi-mo-lai/",
        comments.reopen_request,
        name="reopen_request",
    ),
    path("bao-cao/<int:pk>/so-sanh/", comments.report_diff, name="report_diff"),
]
