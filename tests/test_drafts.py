"""The one writer of draft cells and texts (reports/drafts.py): what a person
typed is never lost, whichever path writes and whichever device reads."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from reports import workflow
from reports.completeness import missing_items
from reports.drafts import SERVER, save_part
from reports.models import Answer, Cell, DraftPart, ReportStatus
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db

AMBIGUOUS = "chưa rõ nghĩa"


@pytest.fixture
def staff(make_user):
    return make_user("705", "staff")


@pytest.fixture
def report(demo, unit, staff):
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    return report


def device(user):
    """A second browser or computer: its own client, its own session."""
    client = Client()
    client.force_login(user)
    return client


def revision(report, key):
    part = DraftPart.objects.filter(report=report, key=key).first()
    return part.revision if part else 0


def save(client, report, part, base=None, **fields):
    base = revision(report, part) if base is None else base
    return client.post(
        reverse("report_autosave", args=[report.pk]),
        data=json.dumps({"part": part, "base_revision": base, "fields": fields}),
        content_type="application/json",
    )


def num(report, code):
    return Cell.objects.get(report=report, column__code=code).num


def refused(report, key):
    return DraftPart.objects.get(report=report, key=key).refused


# --- a refused value is kept on the server --------------------------------------


def test_a_refused_figure_is_kept_with_its_message_on_the_server(report, staff):
    before = num(report, "tien")
    response = save(device(staff), report, "table:1.2", **{"c.tien": "5.800"})
    assert response.status_code == 200
    assert AMBIGUOUS in response.json()["errors"]["c.tien"]
    kept = refused(report, "table:1.2")["c.tien"]
    assert kept["value"] == "5.800" and AMBIGUOUS in kept["message"]
    assert num(report, "tien") == before, "the old figure is not replaced by a guess"


def kept_on_page(client, report):
    """The refused values the editor page gives its script to put back."""
    body = client.get(reverse("report_edit", args=[report.pk])).content.decode()
    return json.loads(
        body.split('id="refused-values" type="application/json">')[1].split("<")[0]
    )


def test_a_refused_figure_is_shown_back_on_another_device(report, staff):
    save(device(staff), report, "table:1.2", **{"c.tien": "5.800"})
    data = kept_on_page(device(staff), report)
    assert data["table:1.2"]["c.tien"]["value"] == "5.800"
    assert AMBIGUOUS in data["table:1.2"]["c.tien"]["message"]


def test_a_valid_value_or_an_empty_cell_replaces_the_refused_one(report, staff):
    client = device(staff)
    save(client, report, "table:1.2", **{"c.tien": "5.800", "c.hien-dat": "1,234"})
    assert set(refused(report, "table:1.2")) == {"c.tien", "c.hien-dat"}
    assert save(client, report, "table:1.2", **{"c.tien": "5800"}).json()["ok"]
    assert set(refused(report, "table:1.2")) == {"c.hien-dat"}
    assert num(report, "tien") == Decimal(5800)
    save(client, report, "table:1.2", **{"c.hien-dat": ""})
    assert refused(report, "table:1.2") == {}
    assert num(report, "hien-dat") is None


def test_an_over_long_section_text_is_kept_not_dropped(report, staff):
    section = report.template.sections.get(code="I.1")
    long_text = "Đoạn văn dài. " * (section.max_length // 10)
    response = save(device(staff), report, "section:I.1", text=long_text)
    assert "Quá dài" in response.json()["errors"]["text"]
    assert refused(report, "section:I.1")["text"]["value"] == long_text
    assert kept_on_page(device(staff), report)["section:I.1"]["text"]["value"] == (
        long_text
    )
    save(device(staff), report, "section:I.1", text="Ngắn gọn.")
    assert refused(report, "section:I.1") == {}
    assert Answer.objects.get(report=report, section=section).text == "Ngắn gọn."


def test_the_server_copy_of_a_conflict_holds_the_refused_text(report, staff):
    save(device(staff), report, "table:1.2", **{"c.tien": "5.800"})
    stale = save(device(staff), report, "table:1.2", base=0, **{"c.tien": "1"})
    assert stale.status_code == 409
    assert stale.json()["server"]["c.tien"] == "5.800"


# --- submit is blocked while anything is refused ---------------------------------


def test_submit_check_lists_a_refused_value_with_a_link_to_its_cell(
    report, staff, make_user
):
    assert missing_items(report) == []
    save(device(staff), report, "table:1.2", **{"c.tien": "5.800"})
    items = missing_items(report)
    assert [item.anchor for item in items] == ["cell-1.2-tien"]
    assert "5.800" in items[0].message and "chưa được lưu" in items[0].message
    page = device(staff).get(reverse("report_submit", args=[report.pk]))
    body = page.content.decode()
    assert reverse("report_edit", args=[report.pk]) + "#cell-1.2-tien" in body
    assert 'name="expected_status"' not in body, "no submit button"


def test_a_crafted_submit_with_a_refused_value_is_refused(report, staff):
    save(device(staff), report, "table:1.2", **{"c.tien": "5.800"})
    response = device(staff).post(
        reverse("report_submit", args=[report.pk]), {"expected_status": "draft"}
    )
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    with pytest.raises(workflow.TransitionNotAllowed, match="chưa hợp lệ"):
        workflow.submit_report(report, actor=staff)
    save(device(staff), report, "table:1.2", **{"c.tien": "5800"})
    workflow.submit_report(report, actor=staff)
    assert report.versions.get().cells.get(column__code="tien").num == Decimal(5800)


# --- base revisions a person's browser never sends ------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"part": "section:I.1", "base_revision": Infinity, "fields": {}}',
        '{"part": "section:I.1", "base_revision": 1e400, "fields": {}}',
        '{"part": "section:I.1", "base_revision": -Infinity, "fields": {}}',
        '{"part": "section:I.1", "base_revision": NaN, "fields": {}}',
        '{"part": "section:I.1", "base_revision": null, "fields": {}}',
        '{"part": "section:I.1", "base_revision": [1], "fields": {}}',
        '{"part": "section:I.1", "base_revision": {"a": 1}, "fields": {}}',
        '{"part": "section:I.1", "base_revision": true, "fields": {}}',
        '{"part": "section:I.1", "base_revision": 1.5, "fields": {}}',
        '{"part": "section:I.1", "base_revision": -1, "fields": {}}',
        '{"part": "section:I.1", "base_revision": 1' + "0" * 400 + ', "fields": {}}',
        '{"part": "section:I.1", "base_revision": "9' + "9" * 5000 + '", "fields": {}}',
    ],
)
def test_a_malformed_base_revision_gets_a_400_in_vietnamese(report, staff, body):
    response = device(staff).post(
        reverse("report_autosave", args=[report.pk]),
        data=body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "phiên bản" in response.json()["message"]


def test_a_form_post_base_revision_of_infinity_gets_a_400(report, staff):
    response = device(staff).post(
        reverse("report_autosave", args=[report.pk]),
        {"part": "section:I.1", "base_revision": "Infinity", "text": "x"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400


# --- the writer used by server-side paths --------------------------------------


def test_a_server_side_write_moves_the_part_revision_so_open_tabs_conflict(
    report, staff
):
    opened = revision(report, "table:1.2")
    save_part(
        report, "table:1.2", {"c.tien": "7,25"}, base_revision=SERVER, actor=staff
    )
    assert revision(report, "table:1.2") == opened + 1
    stale = save(device(staff), report, "table:1.2", base=opened, **{"c.tien": "1"})
    assert stale.status_code == 409
    assert stale.json()["server"]["c.tien"] == "7,25"
    assert num(report, "tien") == Decimal("7.25")


def test_two_tabs_on_different_parts_still_do_not_conflict(report, staff):
    first, second = device(staff), device(staff)
    assert save(first, report, "table:1.2", base=0, **{"c.tien": "1"}).json()["ok"]
    assert save(second, report, "table:1.4", base=0, **{"c.tong-ho": "10"}).json()["ok"]


def test_autosave_answers_normalised_values_and_percentages(report, staff):
    response = save(
        device(staff), report, "table:1.4", **{"c.tong-ho": "1200", "c.ho-dat": "300"}
    )
    body = response.json()
    assert body["values"]["c.tong-ho"] == "1.200"
    assert body["computed"]["c.ty-le-ho"] == "25"


def test_a_reload_shows_a_figure_as_the_autosave_answered_it(report, staff):
    client = device(staff)
    save(client, report, "table:1.4", **{"c.tong-ho": "1234567"})
    page = client.get(reverse("report_edit", args=[report.pk])).content.decode()
    # Grouped as the autosave answers it, not "1234567" after a reload.
    assert 'name="c.tong-ho" value="1.234.567"' in page


# --- speed ------------------------------------------------------------------------


def test_the_editor_page_takes_at_most_15_queries_with_refused_values(
    report, staff, django_assert_max_num_queries
):
    client = device(staff)
    save(client, report, "table:1.2", **{"c.tien": "5.800"})
    save(client, report, "section:I.1", text="x" * 100_000)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("report_edit", args=[report.pk]))
    assert response.status_code == 200


def test_an_autosave_of_a_table_takes_a_fixed_number_of_queries(
    report, staff, django_assert_max_num_queries
):
    client = device(staff)
    save(client, report, "table:1.4", **{"c.tong-ho": "1", "c.ho-dat": "1"})
    base = revision(report, "table:1.4")
    with django_assert_max_num_queries(14):
        response = save(
            client, report, "table:1.4", base, **{"c.tong-ho": "300", "c.ho-dat": "20"}
        )
    assert response.json()["computed"]["c.ty-le-ho"] == "6,67"


def test_no_percentage_is_computed_from_the_old_value_of_a_refused_part(report, staff):
    client = device(staff)
    save(client, report, "table:1.4", **{"c.tong-ho": "1200", "c.ho-dat": "300"})
    response = save(
        client, report, "table:1.4", **{"c.tong-ho": "1.2OO", "c.ho-dat": "300"}
    )
    assert "c.tong-ho" in response.json()["errors"]
    assert response.json()["computed"]["c.ty-le-ho"] == ""
    assert num(report, "ty-le-ho") is None
