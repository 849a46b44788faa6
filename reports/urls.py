from django.urls import path

from .views import comments, home, review, units

urlpatterns = [
    path("", home.home, name="home"),
    path("don-vi/", units.unit_list, name="unit_list"),
    path("don-vi/<int:pk>/", units.unit_detail, name="unit_detail"),
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
