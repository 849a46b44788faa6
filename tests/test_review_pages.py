"""Review pages: list, report, actions, comments checklist, reopen, mail, diff."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from reports import workflow
from reports.models import (
    Cell,
    ReopenRequest,
    ReportStatus,
    ReviewComment,
    TableColumn,
)
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(demo, make_user):
    return {
        "staff": make_user("705", "staff", email="tanbien@example.invalid"),
        "reviewer": make_user("72", "reviewer", email="pttg@example.invalid"),
        "other_staff": make_user("703", "staff"),
        "other_reviewer": make_user("703", "reviewer"),
    }


@pytest.fixture
def submitted(demo, unit, people):
    report = create_report(demo, unit("705"))
    fill_report(report, people["staff"])
    workflow.submit_report(report, actor=people["staff"])
    return report


def first_column(report, code="1.2"):
    return (
        TableColumn.objects.filter(table__template=report.template, table__code=code)
        .exclude(col_type="")
        .exclude(col_type="percent")
        .order_by("order")
        .first()
    )


def post_action(client, report, action, **extra):
    data = {
        "action": action,
        "expected_status": report.status,
        "expected_version": report.versions.count(),
        **extra,
    }
    return client.post(reverse("review_action", args=[report.pk]), data, follow=True)


# --- List ----------------------------------------------------------------------


def test_review_list_shows_the_subtree_with_status_filter(
    client, demo, unit, people, submitted
):
    other = create_report(demo, unit("703"))  # a draft of Thành phố Tây Ninh
    client.force_login(people["reviewer"])
    body = client.get(reverse("review_list")).content.decode()
    assert "Huyện Tân Biên" in body and "Thành phố Tây Ninh" in body
    assert submitted.submitted_at.astimezone().strftime("%d/%m/%Y") in body
    assert f'value="{submitted.pk}:1"' in body  # bulk checkbox with version
    body = client.get(reverse("review_list") + "?status=submitted").content.decode()
    assert "Huyện Tân Biên" in body and "Thành phố Tây Ninh" not in body
    assert f'data-report="{other.pk}"' not in body


def test_district_reviewer_list_holds_only_their_communes(
    client, demo, unit, make_user, submitted
):
    client.force_login(make_user("703", "reviewer"))
    create_report(demo, unit("25474"))  # a commune of Thành phố Tây Ninh
    body = client.get(reverse("review_list")).content.decode()
    assert "Xã Tân Bình" in body
    assert "Huyện Tân Biên" not in body


def test_unit_staff_cannot_open_the_review_list(client, people):
    client.force_login(people["staff"])
    assert client.get(reverse("review_list")).status_code == 403


def test_review_nav_entry_only_for_reviewers(client, people):
    client.force_login(people["reviewer"])
    assert reverse("review_list") in client.get(reverse("home")).content.decode()
    client.force_login(people["staff"])
    assert reverse("review_list") not in client.get(reverse("home")).content.decode()


def test_review_list_query_count_does_not_grow_with_reports(
    client, demo, unit, make_user, people, django_assert_max_num_queries
):
    client.force_login(people["reviewer"])
    for code in ["705", "703"]:
        report = create_report(demo, unit(code))
        staff = make_user(code, "staff")
        fill_report(report, staff, scan=True)
        workflow.submit_report(report, actor=staff)
    with django_assert_max_num_queries(8):
        client.get(reverse("review_list"))
    for code in ["706", "707", "708", "709", "710", "711", "712"]:
        create_report(demo, unit(code))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("review_list"))
    assert response.content.decode().count("data-report=") == 9


def test_bulk_approve_reports_each_result(client, demo, unit, make_user, people):
    reports = []
    for code in ["705", "703"]:
        report = create_report(demo, unit(code))
        staff = make_user(code, "staff")
        fill_report(report, staff)
        workflow.submit_report(report, actor=staff)
        reports.append(report)
    workflow.approve_report(reports[1], actor=people["reviewer"])
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("review_bulk_approve"),
        {"reports": [f"{r.pk}:1" for r in reports]},
        follow=True,
    )
    body = response.content.decode()
    assert "Đã duyệt 1 báo cáo: Huyện Tân Biên" in body
    assert "Thành phố Tây Ninh: Báo cáo đã được duyệt lúc" in body
    for report in reports:
        report.refresh_from_db()
        assert report.status == ReportStatus.APPROVED


def test_bulk_approve_refuses_a_version_resubmitted_since(client, people, submitted):
    workflow.return_report(submitted, actor=people["reviewer"], reason="Sửa")
    workflow.submit_report(submitted, actor=people["staff"])
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("review_bulk_approve"), {"reports": [f"{submitted.pk}:1"]}, follow=True
    )
    assert "lần nộp 2" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


def test_bulk_approve_cannot_reach_another_subtree(client, people, submitted):
    client.force_login(people["other_reviewer"])
    response = client.post(
        reverse("review_bulk_approve"), {"reports": [f"{submitted.pk}:1"]}, follow=True
    )
    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


def test_bulk_approve_is_post_only(client, people):
    client.force_login(people["reviewer"])
    assert client.get(reverse("review_bulk_approve")).status_code == 405


# --- Report page ----------------------------------------------------------------


def test_review_page_shows_answers_tables_models_and_allowed_actions(
    client, people, submitted, django_assert_max_num_queries
):
    client.force_login(people["reviewer"])
    with django_assert_max_num_queries(25):
        response = client.get(reverse("review_report", args=[submitted.pk]))
    body = response.content.decode()
    assert "Kết quả mục I.1 của Huyện Tân Biên." in body
    assert "Biểu 1.1" in body and "Cấp huyện" in body and "{level}" not in body
    assert "Mô hình 1 của Huyện Tân Biên" in body
    assert "ban-ky.pdf" in body
    assert 'data-action="approve"' in body and 'data-action="return"' in body
    assert 'data-action="reopen"' not in body
    assert 'name="expected_version" value="1"' in body
    assert 'class="table-responsive"' in body
    # Biểu 2 is counted from the models: one model in II.1.1.
    mh1 = TableColumn.objects.get(table__template=submitted.template, code="mh-1")
    mh2 = TableColumn.objects.get(table__template=submitted.template, code="mh-2")
    assert re.search(rf'data-column="{mh1.pk}">\s*1\s*<', body)
    assert re.search(rf'data-column="{mh2.pk}">\s*0\s*<', body)


def test_review_page_for_an_approved_report_offers_only_reopen(
    client, people, submitted
):
    workflow.approve_report(submitted, actor=people["reviewer"])
    client.force_login(people["reviewer"])
    body = client.get(reverse("review_report", args=[submitted.pk])).content.decode()
    assert 'data-action="reopen"' in body
    assert 'data-action="approve"' not in body and 'data-action="return"' not in body


def test_review_page_is_404_for_other_subtrees_and_for_the_units_own_staff(
    client, people, submitted
):
    for who in ["other_reviewer", "other_staff", "staff"]:
        client.force_login(people[who])
        url = reverse("review_report", args=[submitted.pk])
        assert client.get(url).status_code == 404, who
        response = post_action(client, submitted, "approve")
        assert response.status_code == 404, who
    assert client.get(reverse("review_report", args=[10**9])).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


def test_approve_twice_does_no_harm_and_says_when(client, people, submitted):
    client.force_login(people["reviewer"])
    data = {"action": "approve", "expected_status": "submitted", "expected_version": 1}
    url = reverse("review_action", args=[submitted.pk])
    client.post(url, data)
    response = client.post(url, data, follow=True)
    body = response.content.decode()
    assert "Báo cáo đã được duyệt lúc" in body
    assert submitted.events.filter(action="approve").count() == 1


def test_acting_on_an_out_of_date_page_overwrites_nothing(client, people, submitted):
    workflow.return_report(submitted, actor=people["reviewer"], reason="Bổ sung")
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("review_action", args=[submitted.pk]),
        {"action": "approve", "expected_status": "submitted", "expected_version": 1},
        follow=True,
    )
    assert "đã chuyển sang trạng thái “Bị trả lại”" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.RETURNED
    assert submitted.approved_at is None


def test_return_without_a_reason_keeps_the_page_and_says_why(client, people, submitted):
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("review_action", args=[submitted.pk]),
        {"action": "return", "expected_status": "submitted", "expected_version": 1},
    )
    assert response.status_code == 400
    assert "Cần ghi lý do trả lại báo cáo." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


def test_forged_action_form_is_refused(client, people, submitted):
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("review_action", args=[submitted.pk]),
        {"action": "delete", "expected_status": "nonsense"},
    )
    assert response.status_code == 400
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


# --- Comments checklist ----------------------------------------------------------


def test_comments_pinned_to_a_cell_and_a_section_block_resubmit_until_answered(
    client, people, submitted
):
    reviewer, staff = people["reviewer"], people["staff"]
    column = first_column(submitted)
    client.force_login(reviewer)
    url = reverse("review_comment", args=[submitted.pk])
    client.post(url, {"column": column.pk, "text": "Số xã đạt chuẩn chưa khớp"})
    client.post(url, {"column": column.pk, "text": "Số xã đạt chuẩn chưa khớp"})
    client.post(url, {"section": "II.1.1", "text": "Nêu rõ số hộ thoát nghèo"})
    assert ReviewComment.objects.filter(report=submitted).count() == 2  # double post
    body = client.get(reverse("review_report", args=[submitted.pk])).content.decode()
    assert "Số xã đạt chuẩn chưa khớp" in body and "has-comment" in body
    # Comments are drafts until the return sends them.
    client.force_login(staff)
    body = client.get(reverse("report_comments", args=[submitted.pk])).content.decode()
    assert "Số xã đạt chuẩn chưa khớp" not in body

    workflow.return_report(submitted, actor=reviewer, reason="Xem các góp ý")
    body = client.get(reverse("report_comments", args=[submitted.pk])).content.decode()
    assert "Xem các góp ý" in body and "Số xã đạt chuẩn chưa khớp" in body
    with pytest.raises(workflow.SubmitBlocked) as info:
        workflow.submit_report(submitted, actor=staff)
    assert sum(i.anchor.startswith("comment-") for i in info.value.items) == 2

    cell_comment, section_comment = ReviewComment.objects.filter(
        report=submitted
    ).order_by("pk")
    answer_url = reverse("comment_answer", args=[submitted.pk, cell_comment.pk])
    response = client.post(answer_url, {})
    assert response.status_code == 400
    assert "Ghi câu trả lời ngắn hoặc đánh dấu “Đã sửa”." in response.content.decode()
    client.post(answer_url, {f"c{cell_comment.pk}-fixed": "on"})
    with pytest.raises(workflow.SubmitBlocked) as info:
        workflow.submit_report(submitted, actor=staff)
    assert [i.anchor for i in info.value.items] == [f"comment-{section_comment.pk}"]
    client.post(
        reverse("comment_answer", args=[submitted.pk, section_comment.pk]),
        {f"c{section_comment.pk}-response": "Đã bổ sung 120 hộ"},
    )
    workflow.submit_report(submitted, actor=staff)
    assert ReviewComment.objects.filter(report=submitted, resolved=False).count() == 0
    client.force_login(reviewer)
    body = client.get(reverse("review_report", args=[submitted.pk])).content.decode()
    assert "Đã bổ sung 120 hộ" in body and "đã khép lại" in body


def test_comment_on_a_column_of_another_template_is_refused(
    client, demo, unit, people, submitted
):
    commune = create_report(demo, unit("25489"))
    foreign = TableColumn.objects.exclude(table__template=submitted.template).first()
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("review_comment", args=[submitted.pk]),
        {"column": foreign.pk, "text": "?"},
    )
    assert response.status_code == 400
    assert not ReviewComment.objects.exists()
    assert commune.pk


def test_empty_comment_is_refused_with_a_message(client, people, submitted):
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("review_comment", args=[submitted.pk]), {"section": "I.1", "text": " "}
    )
    assert response.status_code == 400
    assert "Góp ý không được để trống." in response.content.decode()


def test_another_units_staff_cannot_answer_or_see_comments(client, people, submitted):
    workflow.return_report(
        submitted,
        actor=people["reviewer"],
        reason="Sửa",
        comments=[{"section_code": "I.1", "text": "Bổ sung"}],
    )
    comment = ReviewComment.objects.get()
    client.force_login(people["other_staff"])
    assert (
        client.get(reverse("report_comments", args=[submitted.pk])).status_code == 404
    )
    response = client.post(
        reverse("comment_answer", args=[submitted.pk, comment.pk]),
        {f"c{comment.pk}-fixed": "on"},
    )
    assert response.status_code == 404
    comment.refresh_from_db()
    assert not comment.is_answered


def test_a_comment_id_of_another_report_is_404(client, demo, unit, people, submitted):
    other_staff = people["other_staff"]
    other = create_report(demo, unit("703"))
    fill_report(other, other_staff)
    workflow.submit_report(other, actor=other_staff)
    workflow.return_report(
        other,
        actor=people["reviewer"],
        reason="Sửa",
        comments=[{"section_code": "I.1", "text": "Bổ sung"}],
    )
    foreign = ReviewComment.objects.get(report=other)
    client.force_login(people["staff"])
    response = client.post(
        reverse("comment_answer", args=[submitted.pk, foreign.pk]),
        {f"c{foreign.pk}-fixed": "on"},
    )
    assert response.status_code == 404


# --- Reopen ----------------------------------------------------------------------


@pytest.fixture
def approved(submitted, people):
    workflow.approve_report(submitted, actor=people["reviewer"])
    return submitted


def test_unit_asks_to_reopen_and_reviewer_accepts(client, people, approved):
    approved_version = approved.approved_version
    client.force_login(people["staff"])
    body = client.get(reverse("report_comments", args=[approved.pk])).content.decode()
    assert "Gửi đề nghị mở lại" in body
    response = client.post(reverse("reopen_request", args=[approved.pk]), {})
    assert response.status_code == 400
    assert "Cần ghi lý do đề nghị mở lại." in response.content.decode()
    url = reverse("reopen_request", args=[approved.pk])
    client.post(url, {"reason": "Sai số hộ nghèo"})
    response = client.post(url, {"reason": "Sai số hộ nghèo"}, follow=True)
    assert "Đề nghị mở lại đã được gửi lúc" in response.content.decode()
    assert ReopenRequest.objects.filter(report=approved).count() == 1

    client.force_login(people["reviewer"])
    body = client.get(reverse("review_report", args=[approved.pk])).content.decode()
    assert "Sai số hộ nghèo" in body and 'value="accept_reopen"' in body
    response = post_action(client, approved, "accept_reopen")
    approved.refresh_from_db()
    assert approved.status == ReportStatus.REOPENED
    assert approved.approved_version == approved_version  # stays on record
    request = ReopenRequest.objects.get()
    assert request.status == "accepted" and request.decided_by == people["reviewer"]
    assert list(approved.events.values_list("action", flat=True)) == [
        "submit",
        "approve",
        "request_reopen",
        "reopen",
    ]


def test_reviewer_refuses_a_reopen_request_with_a_reason(client, people, approved):
    workflow.request_reopen(approved, actor=people["staff"], reason="Sửa số liệu")
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("review_action", args=[approved.pk]),
        {"action": "refuse_reopen", "expected_status": "approved"},
    )
    assert response.status_code == 400
    assert "Cần ghi lý do không đồng ý mở lại." in response.content.decode()
    post_action(client, approved, "refuse_reopen", reason="Số liệu đã khớp")
    approved.refresh_from_db()
    assert approved.status == ReportStatus.APPROVED
    request = ReopenRequest.objects.get()
    assert (request.status, request.decision_note) == ("refused", "Số liệu đã khớp")
    # Deciding again says what was decided.
    response = post_action(client, approved, "accept_reopen")
    assert "đã được quyết định lúc" in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == ReportStatus.APPROVED


def test_another_units_staff_cannot_ask_to_reopen(client, people, approved):
    client.force_login(people["other_staff"])
    response = client.post(
        reverse("reopen_request", args=[approved.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    assert not ReopenRequest.objects.exists()


# --- Mail ------------------------------------------------------------------------


def test_mail_goes_only_after_the_transaction_commits(
    demo, unit, people, django_capture_on_commit_callbacks
):
    report = create_report(demo, unit("705"))
    fill_report(report, people["staff"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.submit_report(report, actor=people["staff"])
    assert len(callbacks) == 1 and mail.outbox == []
    callbacks[0]()
    assert "pttg@example.invalid" in mail.outbox[0].to
    assert "tanbien@example.invalid" not in mail.outbox[0].to
    assert "Huyện Tân Biên đã nộp báo cáo" in mail.outbox[0].subject
    assert reverse("review_report", args=[report.pk]) in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_report(report, actor=people["reviewer"], reason="Bổ sung")
    returned = mail.outbox[-1]
    assert returned.to == ["tanbien@example.invalid"]
    assert "bị trả lại" in returned.subject and "Bổ sung" in returned.body
    assert reverse("report_comments", args=[report.pk]) in returned.body


def test_a_refused_transition_sends_no_mail(
    demo, unit, people, django_capture_on_commit_callbacks
):
    report = create_report(demo, unit("705"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(workflow.SubmitBlocked):
            workflow.submit_report(report, actor=people["staff"])
    assert callbacks == [] and mail.outbox == []


def test_approve_and_reopen_decision_mail_the_unit(
    demo, unit, people, django_capture_on_commit_callbacks, submitted
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve_report(submitted, actor=people["reviewer"])
        workflow.request_reopen(submitted, actor=people["staff"], reason="Sai")
        workflow.decide_reopen(
            submitted, actor=people["reviewer"], accept=False, note="Không cần"
        )
    subjects = [(m.to, m.subject) for m in mail.outbox]
    assert (["tanbien@example.invalid"], subjects[0][1]) == subjects[0]
    assert "đã được duyệt" in subjects[0][1]
    assert "pttg@example.invalid" in subjects[1][0]
    assert "đề nghị mở lại" in subjects[1][1]
    assert "không được đồng ý" in subjects[2][1]


# --- Server-stamped times -------------------------------------------------------


def test_times_are_stamped_by_the_server_not_by_the_form(client, people, submitted):
    client.force_login(people["reviewer"])
    client.post(
        reverse("review_action", args=[submitted.pk]),
        {
            "action": "approve",
            "expected_status": "submitted",
            "expected_version": 1,
            "approved_at": "2001-01-01T00:00",
            "submitted_at": "2001-01-01T00:00",
        },
    )
    submitted.refresh_from_db()
    assert submitted.approved_at.year > 2001 and submitted.submitted_at.year > 2001


def test_admin_report_form_cannot_edit_times(client, demo, make_user, submitted):
    from django.contrib.admin.sites import site

    from reports.models import Report

    admin = site._registry[Report]
    readonly = admin.get_readonly_fields(None, submitted)
    for name in ["submitted_at", "approved_at", "first_submitted_at", "status"]:
        assert name in readonly


# --- Diff page -------------------------------------------------------------------


def test_diff_page_defaults_to_changes_since_the_return(
    client, people, submitted, django_assert_max_num_queries
):
    reviewer, staff = people["reviewer"], people["staff"]
    column = first_column(submitted)
    workflow.return_report(
        submitted,
        actor=reviewer,
        reason="Sửa số liệu",
        comments=[{"column": column, "text": "Kiểm tra số xã"}],
    )
    comment = ReviewComment.objects.get()
    workflow.answer_comment(comment, actor=staff, response="Đã kiểm tra lại")
    Cell.objects.filter(report=submitted, column=column).update(num=Decimal("4321"))
    answer = submitted.answers.get(section__code="I.1")
    answer.text = answer.text.replace("Kết quả", "Kết quả nổi bật")
    answer.save()
    workflow.submit_report(submitted, actor=staff)
    client.force_login(reviewer)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("report_diff", args=[submitted.pk]))
    body = response.content.decode()
    assert "Lần nộp 1" in body and "lần nộp 2" in body
    assert "<ins>4.321</ins>" in body
    assert "<ins>nổi bật </ins>" in body or "<ins> nổi bật</ins>" in body
    assert "Kiểm tra số xã" in body and "Đã kiểm tra lại" in body
    client.force_login(staff)
    assert client.get(reverse("report_diff", args=[submitted.pk])).status_code == 200


def test_diff_escapes_user_text(client, people, submitted):
    workflow.return_report(submitted, actor=people["reviewer"], reason="Sửa")
    answer = submitted.answers.get(section__code="I.1")
    answer.text += " <script>alert(1)</script>"
    answer.save()
    workflow.submit_report(submitted, actor=people["staff"])
    client.force_login(people["reviewer"])
    body = client.get(reverse("report_diff", args=[submitted.pk])).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body


def test_diff_of_another_units_report_is_404(client, people, submitted):
    client.force_login(people["other_staff"])
    assert client.get(reverse("report_diff", args=[submitted.pk])).status_code == 404


def test_diff_with_an_unknown_version_falls_back_with_a_message(
    client, people, submitted
):
    client.force_login(people["staff"])
    response = client.get(reverse("report_diff", args=[submitted.pk]) + "?a=9&b=x")
    assert response.status_code == 200
    assert "Không có lần nộp này" in response.content.decode()


def test_comment_on_a_report_returned_meanwhile_keeps_the_typed_text(
    client, people, submitted
):
    workflow.return_report(submitted, actor=people["reviewer"], reason="Sửa")
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("review_comment", args=[submitted.pk]),
        {"section": "I.1", "text": "Bổ sung số liệu năm 2019"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Chỉ góp ý khi báo cáo đang chờ thẩm định." in body
    assert "Bổ sung số liệu năm 2019" in body
    assert not ReviewComment.objects.exists()


def test_submit_page_lists_unanswered_comments_with_a_link_to_answer_them(
    client, people, submitted
):
    workflow.return_report(
        submitted,
        actor=people["reviewer"],
        reason="Sửa",
        comments=[{"section_code": "I.1", "text": "Bổ sung văn bản"}],
    )
    comment = ReviewComment.objects.get()
    client.force_login(people["staff"])
    body = client.get(reverse("report_submit", args=[submitted.pk])).content.decode()
    link = reverse("report_comments", args=[submitted.pk]) + f"#c{comment.pk}"
    assert f'href="{link}"' in body and "Bổ sung văn bản" in body


def test_review_page_prints_money_as_the_report_page_does(client, demo, unit, people):
    report = create_report(demo, unit("705"))
    fill_report(report, people["staff"])
    Cell.objects.filter(report=report, column__code="tien").update(
        num=Decimal("1234567.50")
    )
    workflow.submit_report(report, actor=people["staff"])
    client.force_login(people["staff"])
    detail = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    client.force_login(people["reviewer"])
    review = client.get(reverse("review_report", args=[report.pk])).content.decode()
    for page in (detail, review):
        assert "1.234.567,5<" in re.sub(r"\s+<", "<", page)
        assert "1.234.567,50" not in page


def test_comments_page_leads_the_returned_unit_to_the_editor(client, submitted, people):
    edit = reverse("report_edit", args=[submitted.pk])
    url = reverse("report_comments", args=[submitted.pk])
    client.force_login(people["staff"])
    assert edit not in client.get(url).content.decode()  # submitted: locked
    workflow.return_report(submitted, actor=people["reviewer"], reason="Sửa Biểu 1.2")
    assert edit in client.get(url).content.decode()
    client.force_login(people["reviewer"])
    assert edit not in client.get(url).content.decode()


UNCHANGED = "Giá trị ô này chưa thay đổi so với bản bị trả lại"


def test_answering_a_cell_comment_without_changing_the_cell_says_so(
    client, people, submitted
):
    reviewer, staff = people["reviewer"], people["staff"]
    column = TableColumn.objects.get(table__template=submitted.template, code="tien")
    other = first_column(submitted)
    workflow.add_comment(submitted, actor=reviewer, text="Số tiền sai", column=column)
    workflow.add_comment(submitted, actor=reviewer, text="Số xã sai", column=other)
    workflow.return_report(submitted, actor=reviewer, reason="Xem các góp ý")
    money, towns = ReviewComment.objects.filter(report=submitted).order_by("pk")
    client.force_login(staff)
    for comment in (money, towns):
        client.post(
            reverse("comment_answer", args=[submitted.pk, comment.pk]),
            {f"c{comment.pk}-fixed": "on"},
        )
    Cell.objects.filter(report=submitted, column=other).update(num=999)
    body = client.get(reverse("report_comments", args=[submitted.pk])).content.decode()
    money_card = body.split(f'id="c{money.pk}"')[1].split('class="card mb-3')[0]
    towns_card = body.split(f'id="c{towns.pk}"')[1].split('class="card mb-3')[0]
    assert UNCHANGED in money_card and UNCHANGED not in towns_card
    submit = client.get(reverse("report_submit", args=[submitted.pk])).content.decode()
    assert UNCHANGED in submit and "Số tiền sai" in submit
    # Resubmitted unchanged: the reviewer reading the closed comment sees it too.
    workflow.submit_report(submitted, actor=staff)
    client.force_login(reviewer)
    body = client.get(reverse("report_comments", args=[submitted.pk])).content.decode()
    assert body.count(UNCHANGED) == 1
