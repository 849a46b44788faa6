"""The report editor: start, edit by outline, autosave, submit, read."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from reports import workflow
from reports.completeness import missing_items
from reports.drafts import start_report
from reports.models import (
    Answer,
    Cell,
    ReportStatus,
    TableColumn,
)
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user("705", "staff")


@pytest.fixture
def report(demo, unit):
    return create_report(demo, unit("705"))


@pytest.fixture
def editor(client, staff):
    client.force_login(staff)
    return client


def save(client, report, part, base=0, **fields):
    return client.post(
        reverse("report_autosave", args=[report.pk]),
        data=json.dumps({"part": part, "base_revision": base, "fields": fields}),
        content_type="application/json",
    )


def cell(report, code):
    return Cell.objects.get(
        report=report, column__table__template=report.template, column__code=code
    )


# --- starting ---------------------------------------------------------------


def test_staff_starts_their_report_once_from_my_reports(editor, demo, unit):
    page = editor.get(reverse("my_reports"))
    assert "Bắt đầu soạn báo cáo" in page.content.decode()
    for _ in range(2):
        response = editor.post(reverse("report_start"), {"unit": unit("705").pk})
    report = demo.reports.get(unit__code="705")
    assert response.url == reverse("report_edit", args=[report.pk])
    assert demo.reports.filter(unit__code="705").count() == 1
    assert report.template.code == "huyen"


def test_staff_cannot_start_a_report_for_another_unit(editor, demo, unit):
    response = editor.post(reverse("report_start"), {"unit": unit("706").pk})
    assert response.status_code == 404
    assert not demo.reports.filter(unit__code="706").exists()


def test_my_reports_requires_post_to_start_and_pins_queries(
    editor, demo, django_assert_max_num_queries
):
    assert editor.get(reverse("report_start")).status_code == 405
    with django_assert_max_num_queries(8):
        editor.get(reverse("my_reports"))


def test_home_task_card_links_to_my_reports(editor, demo):
    body = editor.get(reverse("home")).content.decode()
    assert reverse("my_reports") in body


# --- the editor page ----------------------------------------------------------


def test_editor_is_built_from_the_outline(editor, report):
    body = editor.get(reverse("report_edit", args=[report.pk])).content.decode()
    for anchor in [
        'id="header"',
        'id="section-I.1"',
        'id="section-II.1.1-shortcomings"',
        'id="cell-1.1-vb-ct10"',
        'id="cell-1.4-ty-le-ho"',
        'id="table-2"',
        'id="models"',
        'id="attachments"',
    ]:
        assert anchor in body, anchor
    assert "Kết quả đạt được" in body and "Hạn chế, chưa được" in body
    assert "Cấp huyện" in body and "{level}" not in body
    assert 'colspan="2"' in body and 'rowspan="3"' in body
    assert "Hướng dẫn" in body


def test_editor_of_another_units_report_is_404(client, make_user, demo, unit):
    other = create_report(demo, unit("706"))
    client.force_login(make_user("705", "staff"))
    assert client.get(reverse("report_edit", args=[other.pk])).status_code == 404
    assert client.get(reverse("report_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("report_submit", args=[other.pk])).status_code == 404
    assert save(client, other, "section:I.1", text="x").status_code == 404


def test_reviewer_opening_the_editor_is_sent_to_the_read_only_page(
    client, make_user, report
):
    client.force_login(make_user("72", "reviewer"))
    response = client.get(reverse("report_edit", args=[report.pk]))
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    assert save(client, report, "section:I.1", text="x").status_code == 403


def test_editor_query_count_does_not_grow_with_table_size(
    editor, report, django_assert_max_num_queries
):
    fill_report(report, editor_user(editor))
    url = reverse("report_edit", args=[report.pk])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        editor.get(url)
    table = report.template.tables.get(code="1.2")
    for i in range(10):
        TableColumn.objects.create(
            table=table,
            code=f"them-{i}",
            order=100 + i,
            label=f"Cột {i}",
            col_type="integer",
        )
    with CaptureQueriesContext(connection) as after:
        response = editor.get(url)
    assert "them-9" in response.content.decode()
    assert len(after) == len(before) <= 25


def editor_user(client):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


# --- autosave: sections, conflicts --------------------------------------------


def test_autosave_saves_a_section_and_says_when(editor, report):
    response = save(editor, report, "section:II.1.1", text="Đạt", shortcomings="Chưa")
    data = response.json()
    assert response.status_code == 200 and data["ok"]
    assert data["revision"] == 1 and data["message"].startswith("Đã lưu lúc")
    assert data["complete"] is True
    answer = Answer.objects.get(report=report, section__code="II.1.1")
    assert (answer.text, answer.shortcomings) == ("Đạt", "Chưa")


def test_same_section_from_two_tabs_conflicts_and_keeps_both_texts(editor, report):
    first = save(editor, report, "section:I.1", base=0, text="Bản của thẻ A")
    assert first.status_code == 200
    second = save(editor, report, "section:I.1", base=0, text="Bản của thẻ B")
    assert second.status_code == 409
    data = second.json()
    assert data["conflict"] and "vừa được lưu" in data["message"]
    assert data["server"]["text"] == "Bản của thẻ A"
    assert data["revision"] == 1
    assert (
        Answer.objects.get(report=report, section__code="I.1").text == "Bản của thẻ A"
    )
    # The person chooses to keep theirs: saved against the server's revision.
    third = save(editor, report, "section:I.1", base=1, text="Bản của thẻ B")
    assert third.status_code == 200
    assert (
        Answer.objects.get(report=report, section__code="I.1").text == "Bản của thẻ B"
    )


def test_different_sections_from_two_tabs_do_not_conflict(editor, report):
    assert save(editor, report, "section:I.1", base=0, text="A").status_code == 200
    assert save(editor, report, "section:I.2", base=0, text="B").status_code == 200
    assert (
        save(editor, report, "table:1.2", base=0, **{"c.tien": "5"}).status_code == 200
    )


def test_over_long_text_is_refused_and_the_rest_is_kept(editor, report):
    section = report.template.sections.get(code="II.1.2")
    section.max_length = 20
    section.save()
    response = save(
        editor, report, "section:II.1.2", text="x" * 21, shortcomings="Còn chậm"
    )
    data = response.json()
    assert "Quá dài" in data["errors"]["text"] and "shortcomings" not in data["errors"]
    answer = Answer.objects.get(report=report, section__code="II.1.2")
    assert answer.text == "" and answer.shortcomings == "Còn chậm"


def test_heading_and_unknown_parts_are_refused(editor, report):
    assert save(editor, report, "section:II.1", text="x").status_code == 400
    assert save(editor, report, "section:IX", text="x").status_code == 400
    assert save(editor, report, "table:2", **{"c.mh-1": "3"}).status_code == 400


def test_autosave_without_a_session_answers_401_not_a_login_page(client, report):
    response = save(client, report, "section:I.1", text="x")
    assert response.status_code == 401
    assert response.json()["login"] is True
    assert "đăng nhập lại" in response.json()["message"]


def test_autosave_after_submit_is_refused(editor, report, staff):
    fill_report(report, staff)
    workflow.submit_report(report, actor=staff)
    response = save(editor, report, "section:I.1", base=0, text="muộn")
    assert response.status_code == 409 and response.json()["locked"]
    assert Answer.objects.get(report=report, section__code="I.1").text != "muộn"


def test_autosave_as_a_plain_form_post_returns_to_the_editor(editor, report):
    response = editor.post(
        reverse("report_autosave", args=[report.pk]),
        {"part": "section:I.3", "base_revision": "0", "text": "Không có JavaScript"},
    )
    assert response.status_code == 302
    assert response.url.endswith("#section-I.3")
    assert Answer.objects.get(report=report, section__code="I.3").text == (
        "Không có JavaScript"
    )


def test_autosave_get_is_not_allowed(editor, report):
    assert editor.get(reverse("report_autosave", args=[report.pk])).status_code == 405


# --- autosave: table cells by column type -------------------------------------


def test_number_columns_accept_both_notations(editor, report):
    response = save(
        editor,
        report,
        "table:1.2",
        **{"c.tien": "1.234,5", "c.hien-dat": "1234.5", "c.xa-ntm": "12"},
    )
    assert response.json()["errors"] == {}
    assert cell(report, "tien").num == Decimal("1234.5")
    assert cell(report, "hien-dat").num == Decimal("1234.5")
    assert cell(report, "xa-ntm").num == 12


def test_bad_numbers_get_a_message_each_and_good_ones_are_saved(editor, report):
    data = save(
        editor,
        report,
        "table:1.2",
        **{
            "c.xa-ntm": "mười hai",
            "c.xa-ntm-nc": "-3",
            "c.huyen-ntm": "2,5",
            "c.tien": "1.000",
            "c.ngay-cong": "300",
        },
    ).json()
    assert "không phải là số" in data["errors"]["c.xa-ntm"]
    assert data["errors"]["c.xa-ntm-nc"] == "Không nhập số âm."
    assert "số nguyên" in data["errors"]["c.huyen-ntm"]
    assert "chưa rõ nghĩa" in data["errors"]["c.tien"]
    assert cell(report, "ngay-cong").num == 300
    assert not Cell.objects.filter(report=report, column__code="xa-ntm").exists()


def test_percent_is_computed_on_the_server(editor, report):
    data = save(
        editor,
        report,
        "table:1.4",
        **{"c.tong-ho": "200", "c.ho-dat": "150", "c.ty-le-ho": "99"},
    ).json()
    assert data["computed"]["c.ty-le-ho"] == "75"
    assert cell(report, "ty-le-ho").num == Decimal("75")
    page = editor.get(reverse("report_edit", args=[report.pk])).content.decode()
    assert ">75</output>" in page


def test_percent_of_a_part_marked_no_data_is_empty(editor, report):
    save(
        editor,
        report,
        "table:1.4",
        **{
            "c.tong-ho": "200",
            "c.ho-dat": "150",
            "c.ho-dat.no_data": "1",
            "c.ho-dat.note": "Chưa thống kê",
        },
    )
    assert cell(report, "ty-le-ho").num is None


def test_documents_are_saved_with_dates_and_bad_dates_are_reported(editor, report):
    data = save(
        editor,
        report,
        "table:1.1",
        **{
            "c.vb-ct10.docs": "1",
            "c.vb-ct10.d.0.kind": "Kế hoạch",
            "c.vb-ct10.d.0.number": "159/KH-MTTQ-BTT",
            "c.vb-ct10.d.0.date": "18/08/2016",
            "c.vb-ct10.d.0.summary": "Triển khai",
            "c.vb-ct10.d.1.kind": "Nghị quyết",
            "c.vb-ct10.d.1.date": "31/02/2017",
            "c.vb-ct10.d.2.kind": "",
        },
    ).json()
    assert "ngày/tháng/năm" in data["errors"]["c.vb-ct10.d.1.date"]
    docs = cell(report, "vb-ct10").docs
    assert docs[0] == {
        "kind": "Kế hoạch",
        "number": "159/KH-MTTQ-BTT",
        "date": "2016-08-18",
        "summary": "Triển khai",
    }
    assert docs[1]["kind"] == "Nghị quyết" and len(docs) == 2
    # Removing every document saves an empty list.
    save(editor, report, "table:1.1", base=1, **{"c.vb-ct10.docs": "1"})
    assert cell(report, "vb-ct10").docs == []


def test_yes_no_cells(editor, report):
    data = save(
        editor,
        report,
        "table:1.1",
        **{"c.phat-dong-cap": "co", "c.quan-triet-cap": "có lẽ"},
    ).json()
    assert cell(report, "phat-dong-cap").flag is True
    assert "Có" in data["errors"]["c.quan-triet-cap"]
    save(editor, report, "table:1.1", base=1, **{"c.phat-dong-cap": "khong"})
    assert cell(report, "phat-dong-cap").flag is False


def test_text_cells_are_saved_and_limited(editor, report):
    table = report.template.tables.get(code="1.5")
    TableColumn.objects.create(
        table=table,
        code="ghi-chu",
        order=99,
        label="Ghi chú",
        col_type="text",
        required=False,
    )
    save(editor, report, "table:1.5", **{"c.ghi-chu": "Số liệu tạm tính"})
    assert cell(report, "ghi-chu").text == "Số liệu tạm tính"
    data = save(editor, report, "table:1.5", base=1, **{"c.ghi-chu": "y" * 5001}).json()
    assert "Quá dài" in data["errors"]["c.ghi-chu"]
    assert cell(report, "ghi-chu").text == "Số liệu tạm tính"


def test_no_data_needs_a_note(editor, report):
    data = save(
        editor,
        report,
        "table:1.5",
        **{
            "c.giam-sat.no_data": "1",
            "c.giam-sat.note": "",
        },
    ).json()
    assert "lý do" in data["errors"]["c.giam-sat.note"]
    messages = [
        i.message for i in missing_items(report) if i.anchor == "cell-1.5-giam-sat"
    ]
    assert messages and "chưa ghi lý do" in messages[0]
    save(
        editor,
        report,
        "table:1.5",
        base=1,
        **{
            "c.giam-sat.no_data": "1",
            "c.giam-sat.note": "Không tổ chức giám sát",
        },
    )
    assert "cell-1.5-giam-sat" not in {i.anchor for i in missing_items(report)}


def test_header_fields_and_a_bad_date(editor, report):
    data = save(
        editor,
        report,
        "header",
        document_number="45/BC-MTTQ",
        document_date="32/10/2020",
        signer_name="Nguyễn Văn A",
    ).json()
    assert "ngày/tháng/năm" in data["errors"]["document_date"]
    report.refresh_from_db()
    assert (
        report.document_number == "45/BC-MTTQ" and report.signer_name == "Nguyễn Văn A"
    )
    save(editor, report, "header", base=1, document_date="06/10/2020")
    report.refresh_from_db()
    assert report.document_date.isoformat() == "2020-10-06"


def test_script_typed_anywhere_is_shown_as_text(editor, report, staff):
    attack = "<script>alert('x')</script><b>đậm</b>"
    save(editor, report, "section:I.1", text=attack)
    save(editor, report, "header", signer_name=attack)
    save(editor, report, "table:1.1", **{"c.vb-ct10.d.0.summary": attack})
    for name in ("report_edit", "report_detail"):
        body = editor.get(reverse(name, args=[report.pk])).content.decode()
        assert "<script>alert" not in body and "<b>đậm" not in body
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body


# --- submit and the read-only page -------------------------------------------


def test_submit_page_lists_missing_items_as_links_to_the_editor(editor, report):
    body = editor.get(reverse("report_submit", args=[report.pk])).content.decode()
    edit = reverse("report_edit", args=[report.pk])
    assert f'href="{edit}#section-I.1"' in body
    assert f'href="{edit}#section-II.1.1"' in body
    assert f'href="{edit}#cell-1.1-vb-ct10"' in body
    assert f'href="{edit}#models"' in body and f'href="{edit}#attachments"' in body
    editor_page = editor.get(edit).content.decode()
    for item in missing_items(report):
        assert f'id="{item.anchor}"' in editor_page, item.anchor


def test_submit_refused_while_incomplete_shows_the_list(editor, report):
    response = editor.post(
        reverse("report_submit", args=[report.pk]), {"expected_status": "draft"}
    )
    body = response.content.decode()
    assert "Báo cáo còn thiếu" in body and "missing-items" in body
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_submit_freezes_and_locks_the_editor(editor, report, staff):
    fill_report(report, staff)
    response = editor.post(
        reverse("report_submit", args=[report.pk]), {"expected_status": "draft"}
    )
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.versions.count() == 1
    response = editor.get(reverse("report_edit", args=[report.pk]))
    assert response.url == report.get_absolute_url()
    # A second click (another tab) does not submit twice.
    editor.post(
        reverse("report_submit", args=[report.pk]), {"expected_status": "draft"}
    )
    assert report.versions.count() == 1


def test_detail_shows_the_submitted_version_not_later_draft_changes(
    client, make_user, report, staff
):
    fill_report(report, staff)
    workflow.submit_report(report, actor=staff)
    Answer.objects.filter(report=report, section__code="I.1").update(text="SỬA LÉN")
    client.force_login(make_user("72", "reviewer"))
    body = client.get(report.get_absolute_url()).content.decode()
    assert "SỬA LÉN" not in body and "Kết quả mục I.1" in body
    assert "bản đã nộp lần 1" in body and "Đã nộp" in body


def test_detail_of_a_draft_for_its_staff(editor, report, django_assert_max_num_queries):
    save(editor, report, "section:I.1", text="Nháp I.1")
    with django_assert_max_num_queries(20):
        body = editor.get(report.get_absolute_url()).content.decode()
    assert "Nháp I.1" in body and "bản đang soạn" in body


# --- other reporters ----------------------------------------------------------


def test_commune_report_has_optional_sections_and_needs_only_the_written_report(
    client, make_user, demo, unit
):
    client.force_login(make_user("25489", "staff"))
    report = start_report(unit("25489"), demo)
    assert report.template.code == "xa"
    body = client.get(reverse("report_edit", args=[report.pk])).content.decode()
    assert "không bắt buộc" in body and 'id="section-I.1"' in body
    assert save(client, report, "section:I.1", text="Xã").status_code == 200
    assert [i.anchor for i in missing_items(report)] == ["attachments"]


def test_member_organisation_report_has_its_own_sections_and_only_table_1_5(
    client, make_user, demo, unit
):
    client.force_login(make_user("72-HND", "staff"))
    report = start_report(unit("72-HND"), demo)
    body = client.get(reverse("report_edit", args=[report.pk])).content.decode()
    assert 'id="table-1.5"' in body and 'id="table-1.1"' not in body
    assert "237/KHPH-MTTQ-TCTV" in body
    assert save(client, report, "table:1.5", **{"c.giam-sat": "4"}).status_code == 200


def test_malformed_autosave_requests_get_400_not_500(editor, report):
    url = reverse("report_autosave", args=[report.pk])
    assert editor.post(url, "{nope", content_type="application/json").status_code == 400
    assert (
        editor.post(
            url,
            json.dumps({"part": "section:I.1", "fields": []}),
            content_type="application/json",
        ).status_code
        == 400
    )
    assert (
        editor.post(
            url,
            json.dumps({"part": "section:I.1", "base_revision": "x", "fields": {}}),
            content_type="application/json",
        ).status_code
        == 400
    )


def test_a_beacon_save_on_leaving_the_page_gets_json_and_no_flash_message(
    editor, report
):
    response = editor.post(
        reverse("report_autosave", args=[report.pk]),
        {
            "part": "section:I.4",
            "base_revision": "0",
            "text": "Lúc rời trang",
            "_json": "1",
        },
    )
    assert response.status_code == 200 and response.json()["ok"]
    page = editor.get(reverse("report_edit", args=[report.pk]))
    assert not list(page.context["messages"])
    assert (
        Answer.objects.get(report=report, section__code="I.4").text == "Lúc rời trang"
    )


def test_returned_report_is_editable_again_and_resubmits_as_version_2(
    editor, report, staff, make_user
):
    fill_report(report, staff)
    workflow.submit_report(report, actor=staff)
    workflow.return_report(report, actor=make_user("72", "reviewer"), reason="Bổ sung")
    assert editor.get(reverse("report_edit", args=[report.pk])).status_code == 200
    assert save(editor, report, "section:I.5", text="Đã bổ sung").status_code == 200
    editor.post(
        reverse("report_submit", args=[report.pk]), {"expected_status": "returned"}
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.versions.latest("number").answers["I.5"]["text"] == "Đã bổ sung"
    assert report.versions.count() == 2
