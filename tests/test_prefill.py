import json
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from reports import workflow
from reports.models import (
    Answer,
    Cell,
    PrefillSource,
    Report,
    ReportStatus,
    VersionCell,
)
from reports.prefill import (
    PrefillNotAllowed,
    create_prefilled_report,
    dismiss_pending,
    is_stale,
    pending_fields,
    refresh_prefilled_report,
    source_states,
)
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db

DISTRICTS = ("703", "705")
MEMBER = "72-HND"


@pytest.fixture
def setup(demo, unit, make_user):
    """Two districts and a member organisation approved; province staff ready."""
    reviewer = make_user("72", "reviewer")
    staff = {}
    reports = {}
    for seed, code in enumerate((*DISTRICTS, MEMBER), start=1):
        staff[code] = make_user(code, "staff")
        report = create_report(demo, unit(code))
        fill_report(report, staff[code], seed=seed)
        workflow.submit_report(report, actor=staff[code])
        workflow.approve_report(report, actor=reviewer)
        reports[code] = report
    province_staff = make_user("72", "staff")
    return {
        "round": demo,
        "province": unit("72"),
        "reviewer": reviewer,
        "staff": staff,
        "reports": reports,
        "province_staff": province_staff,
    }


def answer(report, code):
    return Answer.objects.get(report=report, section__code=code)


def resubmit(setup, code, *, text=None, sections=None, cells=None):
    """Reopen an approved child report, change it, resubmit and approve it."""
    report = setup["reports"][code]
    workflow.reopen_report(report, actor=setup["reviewer"], reason="Bổ sung")
    sections = dict(sections or {})
    if text is not None:
        sections["I.1"] = text
    for section_code, new_text in sections.items():
        Answer.objects.filter(report=report, section__code=section_code).update(
            text=new_text
        )
    for column_code, num in (cells or {}).items():
        Cell.objects.filter(report=report, column__code=column_code).update(num=num)
    workflow.submit_report(report, actor=setup["staff"][code])
    workflow.approve_report(report, actor=setup["reviewer"])


def test_prefill_creates_a_draft_with_attributed_section_texts(setup):
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=setup["province_staff"]
    )
    assert report.status == ReportStatus.DRAFT
    assert report.template.code == "tinh"
    text = answer(report, "I.1").text
    assert text == (
        "Thành phố Tây Ninh: Kết quả mục I.1 của Thành phố Tây Ninh.\n\n"
        "Huyện Tân Biên: Kết quả mục I.1 của Huyện Tân Biên."
    )
    both = answer(report, "II.1.3")
    assert both.text.startswith("Thành phố Tây Ninh: Kết quả mục II.1.3")
    assert both.shortcomings == (
        "Thành phố Tây Ninh: Hạn chế mục II.1.3.\n\nHuyện Tân Biên: Hạn chế mục II.1.3."
    )


def test_member_org_text_is_not_pasted_under_a_different_question(setup):
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=setup["province_staff"]
    )
    # The member organisation's "I.1" asks about Kế hoạch 237, not the province's
    # I.1; its answer is not attributed under the province's I.1.
    assert "Hội Nông dân" not in answer(report, "I.1").text


def test_prefill_cells_are_the_consolidation_totals(setup):
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=setup["province_staff"]
    )
    versions = [r.approved_version_id for r in setup["reports"].values()]
    for code in ("ngay-cong", "giam-sat", "quy-xa"):
        expected = VersionCell.objects.filter(
            version__in=versions, column__code=code
        ).aggregate(s=Sum("num"))["s"]
        assert Cell.objects.get(report=report, column__code=code).num == expected
    docs = Cell.objects.get(report=report, column__code="vb-ct10").docs
    assert [d["number"] for d in docs] == ["1/KH-MTTQ", "2/KH-MTTQ"]
    # Yes/no asks about the province itself: left for its staff.
    assert not Cell.objects.filter(report=report, column__code="phat-dong-cap").exists()


def test_prefill_records_the_versions_it_used(setup):
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=setup["province_staff"]
    )
    sources = {
        s.unit.code: s.version for s in PrefillSource.objects.filter(report=report)
    }
    assert sources == {code: r.approved_version for code, r in setup["reports"].items()}
    assert not is_stale(report)


def test_only_the_units_staff_may_create_it(setup, make_user):
    for user in (setup["reviewer"], setup["staff"]["705"], make_user("72", "admin")):
        with pytest.raises(PrefillNotAllowed):
            create_prefilled_report(setup["province"], setup["round"], actor=user)
    assert not Report.objects.filter(unit=setup["province"]).exists()


def test_prefill_refuses_a_report_that_is_not_editable(setup, unit, make_user):
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=setup["province_staff"]
    )
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    with pytest.raises(PrefillNotAllowed, match="mở lại"):
        create_prefilled_report(
            setup["province"], setup["round"], actor=setup["province_staff"]
        )


def test_reopened_source_makes_the_report_stale(setup):
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=setup["province_staff"]
    )
    workflow.reopen_report(
        setup["reports"]["705"], actor=setup["reviewer"], reason="Bổ sung số liệu"
    )
    assert is_stale(report)
    state = next(s for s in source_states(report) if s.unit.code == "705")
    assert "mở lại" in state.reason


def test_newer_approved_version_and_new_child_make_it_stale(setup, unit, make_user):
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=setup["province_staff"]
    )
    resubmit(setup, "703", cells={"ngay-cong": 5})
    state = next(s for s in source_states(report) if s.unit.code == "703")
    assert "lần nộp 2" in state.reason
    refresh_prefilled_report(report, actor=setup["province_staff"])
    assert not is_stale(report)
    staff = make_user("709", "staff")
    late = create_report(setup["round"], unit("709"))
    fill_report(late, staff, seed=7)
    workflow.submit_report(late, actor=staff)
    assert not is_stale(report)  # submitted only: not a source yet
    workflow.approve_report(late, actor=setup["reviewer"])
    state = next(s for s in source_states(report) if s.unit.code == "709")
    assert state.used_version is None and "mới được duyệt" in state.reason


def test_refresh_replaces_untouched_and_keeps_edited_sections(setup):
    province_staff = setup["province_staff"]
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=province_staff
    )
    Answer.objects.filter(report=report, section__code="I.2").update(
        text="Tỉnh tự viết lại mục I.2."
    )
    resubmit(setup, "705", sections={"I.1": "Tân Biên viết mới mục I.1.", "I.2": "x"})
    outcome = refresh_prefilled_report(report, actor=province_staff)
    untouched = answer(report, "I.1").text
    assert "Huyện Tân Biên: Tân Biên viết mới mục I.1." in untouched
    assert answer(report, "I.2").text == "Tỉnh tự viết lại mục I.2."
    pending = {f.key: f.pending for f in pending_fields(report)}
    assert pending["section:I.2:text"].endswith("Huyện Tân Biên: x")
    assert outcome.pending == 1 and outcome.replaced > 1


def test_refresh_keeps_an_edited_cell_and_sets_the_new_total_aside(setup):
    province_staff = setup["province_staff"]
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=province_staff
    )
    Cell.objects.filter(report=report, column__code="ngay-cong").update(num=1)
    before = Cell.objects.get(report=report, column__code="tien").num
    resubmit(setup, "703", cells={"ngay-cong": 1000, "tien": Decimal(7)})
    refresh_prefilled_report(report, actor=province_staff)
    assert Cell.objects.get(report=report, column__code="ngay-cong").num == 1
    tien = Cell.objects.get(report=report, column__code="tien").num
    assert tien != before
    field = next(f for f in pending_fields(report) if f.pending.get("num"))
    assert field.key.startswith("cell:")


def test_dismissed_pending_is_not_raised_again(setup):
    province_staff = setup["province_staff"]
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=province_staff
    )
    Answer.objects.filter(report=report, section__code="I.1").update(text="Tỉnh viết.")
    resubmit(setup, "705", text="Mới.")
    refresh_prefilled_report(report, actor=province_staff)
    assert [f.key for f in pending_fields(report)] == ["section:I.1:text"]
    assert dismiss_pending(report, "section:I.1:text", actor=province_staff)
    refresh_prefilled_report(report, actor=province_staff)
    assert pending_fields(report) == []
    assert answer(report, "I.1").text == "Tỉnh viết."


def test_text_written_before_the_prefill_is_kept(setup):
    report = create_report(setup["round"], setup["province"])
    section = report.template.sections.get(code="II.4")
    Answer.objects.create(report=report, section=section, text="Phương hướng của tỉnh.")
    create_prefilled_report(
        setup["province"], setup["round"], actor=setup["province_staff"]
    )
    assert answer(report, "II.4").text == "Phương hướng của tỉnh."
    assert "section:II.4:text" in {f.key for f in pending_fields(report)}
    assert answer(report, "I.1").text.startswith("Thành phố Tây Ninh:")


# --- Views ------------------------------------------------------------------------


def test_staff_creates_the_prefilled_report_from_the_page(client, setup):
    client.force_login(setup["province_staff"])
    url = reverse("prefill_create", args=[setup["province"].pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    report = Report.objects.get(unit=setup["province"])
    assert response.url == reverse("prefill_status", args=[report.pk])
    page = client.get(response.url).content.decode()
    assert "Huyện Tân Biên" in page and "đã cập nhật" in page


def test_status_page_leads_staff_to_the_editor_and_others_to_the_report(
    client, setup, make_user
):
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=setup["province_staff"]
    )
    url = reverse("prefill_status", args=[report.pk])
    client.force_login(setup["province_staff"])
    assert reverse("report_edit", args=[report.pk]) in client.get(url).content.decode()
    fill_report(report, setup["province_staff"])
    workflow.submit_report(report, actor=setup["province_staff"])
    page = client.get(url).content.decode()
    assert reverse("report_edit", args=[report.pk]) not in page
    assert f'href="{reverse("report_detail", args=[report.pk])}"' in page


def test_reviewer_cannot_create_and_outsider_gets_404(client, setup, make_user):
    client.force_login(setup["reviewer"])
    response = client.post(reverse("prefill_create", args=[setup["province"].pk]))
    assert response.status_code == 302
    assert not Report.objects.filter(unit=setup["province"]).exists()
    client.force_login(make_user("705", "reviewer"))
    response = client.post(reverse("prefill_create", args=[setup["province"].pk]))
    assert response.status_code == 404


def test_status_page_shows_stale_and_refresh_works(client, setup):
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=setup["province_staff"]
    )
    workflow.reopen_report(
        setup["reports"]["705"], actor=setup["reviewer"], reason="Bổ sung"
    )
    client.force_login(setup["province_staff"])
    page = client.get(reverse("prefill_status", args=[report.pk])).content.decode()
    assert "chưa cập nhật" in page
    response = client.post(reverse("prefill_refresh", args=[report.pk]))
    assert response.status_code == 302
    # Tân Biên's approved version stays on record and in use while it is
    # revised; the reopen is no longer news after the refresh.
    source = PrefillSource.objects.get(report=report, unit__code="705")
    assert source.version == setup["reports"]["705"].approved_version
    assert not is_stale(report)


def test_refresh_denied_to_other_units_and_status_404(client, setup, make_user):
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=setup["province_staff"]
    )
    client.force_login(setup["staff"]["705"])
    assert client.get(reverse("prefill_status", args=[report.pk])).status_code == 404
    response = client.post(reverse("prefill_refresh", args=[report.pk]))
    assert response.status_code == 404
    client.force_login(setup["province_staff"])
    other = setup["reports"]["705"]
    assert client.get(reverse("prefill_status", args=[other.pk])).status_code == 404


def test_status_page_shows_new_children_text_beside_the_edited_one(client, setup):
    province_staff = setup["province_staff"]
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=province_staff
    )
    Answer.objects.filter(report=report, section__code="I.1").update(text="Tỉnh viết.")
    Cell.objects.filter(report=report, column__code="ngay-cong").update(num=1)
    resubmit(setup, "705", text="Nội dung mới.", cells={"ngay-cong": 1234567})
    refresh_prefilled_report(report, actor=province_staff)
    client.force_login(province_staff)
    page = client.get(reverse("prefill_status", args=[report.pk])).content.decode()
    assert "Có nội dung mới từ đơn vị cấp dưới" in page
    assert "Tỉnh viết." in page and "Huyện Tân Biên: Nội dung mới." in page
    assert "Mục I.1. Công tác tham mưu" in page
    assert "Biểu 1.2, cột “Ngày công”" in page
    assert "1.234.5" in page  # the new total, vi-VN grouping
    response = client.post(
        reverse("prefill_dismiss", args=[report.pk]), {"key": "section:I.1:text"}
    )
    assert response.status_code == 302
    assert [f.key for f in pending_fields(report)] == [
        f"cell:{Cell.objects.get(report=report, column__code='ngay-cong').column_id}"
    ]


def test_consolidation_page_flags_the_stale_prefilled_report(client, setup):
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=setup["province_staff"]
    )
    client.force_login(setup["province_staff"])
    url = reverse("consolidation", args=[setup["province"].pk])
    page = client.get(url).content.decode()
    assert reverse("prefill_status", args=[report.pk]) in page
    assert "chưa cập nhật" not in page
    resubmit(setup, "703", cells={"ngay-cong": 5})
    assert "chưa cập nhật" in client.get(url).content.decode()


def test_an_editor_tab_opened_before_a_refresh_gets_the_conflict_view(client, setup):
    province_staff = setup["province_staff"]
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=province_staff
    )
    client.force_login(province_staff)
    page = client.get(reverse("report_edit", args=[report.pk]))
    sheet = page.context["sheet"]
    opened_table = next(t for t in sheet.tables if t.code == "1.2").revision
    opened_section = next(s for s in sheet.sections if s.code == "I.1").revision
    resubmit(setup, "703", cells={"tien": Decimal(7)}, text="Mới từ 703.")
    refresh_prefilled_report(report, actor=province_staff)
    refreshed = Cell.objects.get(report=report, column__code="tien").num

    def autosave(part, base, fields):
        return client.post(
            reverse("report_autosave", args=[report.pk]),
            data=json.dumps({"part": part, "base_revision": base, "fields": fields}),
            content_type="application/json",
        )

    stale = autosave("table:1.2", opened_table, {"c.tien": "1"})
    assert stale.status_code == 409
    assert Cell.objects.get(report=report, column__code="tien").num == refreshed
    stale = autosave("section:I.1", opened_section, {"text": "cũ"})
    assert stale.status_code == 409
    assert "Mới từ 703." in answer(report, "I.1").text


def test_a_refresh_keeps_a_value_typed_and_refused_in_a_prefilled_cell(setup):
    from reports.drafts import save_part

    province_staff = setup["province_staff"]
    report = create_prefilled_report(
        setup["province"], setup["round"], actor=province_staff
    )
    part = report.draft_parts.get(key="table:1.2")
    save_part(
        report,
        "table:1.2",
        {"c.tien": "5.800"},
        base_revision=part.revision,
        actor=province_staff,
    )
    save_part(
        report,
        "section:I.1",
        {"text": "x" * 200_000},
        base_revision=report.draft_parts.get(key="section:I.1").revision,
        actor=province_staff,
    )
    resubmit(setup, "703", cells={"tien": Decimal(7)}, text="Mới từ 703.")
    refresh_prefilled_report(report, actor=province_staff)
    refused = {p.key: p.refused for p in report.draft_parts.all()}
    assert refused["table:1.2"]["c.tien"]["value"] == "5.800"
    assert refused["section:I.1"]["text"]["value"] == "x" * 200_000
    pending = {f.key for f in pending_fields(report)}
    assert "section:I.1:text" in pending
    assert any(key.startswith("cell:") for key in pending)
