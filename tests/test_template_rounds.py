"""Templates per round: copy to a round; parents from the same template (issue 13)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reports import workflow
from reports.consolidation import consolidate
from reports.models import (
    ReportTemplate,
    Section,
    TableColumn,
)
from reports.outline import copy_template, template_for_unit
from tests.factories import create_later_round, create_report, fill_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_round(demo):
    return create_later_round(demo.campaign)


@pytest.fixture
def admin_client(client, demo, make_user):
    client.force_login(make_user("72", "admin", is_staff=True, is_superuser=True))
    return client


def current_of(round_):
    return {
        t.code: t.pk
        for t in ReportTemplate.objects.filter(round=round_, is_current=True)
    }


def test_copy_to_another_round_leaves_the_old_round_untouched(
    demo, new_round, unit, make_user
):
    district = unit("705")
    reviewer = make_user("705", "reviewer")
    for seed, child in enumerate(district.children.order_by("path")[:3], start=1):
        staff = make_user(child.code, "staff")
        report = create_report(demo, child)
        fill_report(report, staff, seed=seed)
        workflow.submit_report(report, actor=staff)
        workflow.approve_report(report, actor=reviewer)
    before_current = current_of(demo)
    before = consolidate(district, demo)
    commune = ReportTemplate.objects.get(round=demo, code="xa", is_current=True)
    assert commune.is_frozen

    copy = copy_template(commune, round_=new_round)

    assert (copy.round, copy.version, copy.is_current) == (new_round, 1, True)
    assert copy.previous == commune and copy.frozen_at is None
    assert copy.sections.count() == commune.sections.count()
    assert current_of(demo) == before_current
    commune.refresh_from_db()
    assert commune.is_current
    after = consolidate(unit("705"), demo)
    assert [r.unit.code for r in after.rows] == [r.unit.code for r in before.rows]
    assert [(t.table.code, len(t.rows), t.total) for t in after.tables] == [
        (t.table.code, len(t.rows), t.total) for t in before.tables
    ]
    assert template_for_unit(new_round, unit("25489")) == copy


def test_a_template_never_submitted_can_be_copied_to_a_round(demo, new_round):
    province = ReportTemplate.objects.get(round=demo, code="tinh", is_current=True)
    assert not province.is_frozen
    copy = copy_template(province, round_=new_round)
    assert copy.round == new_round and copy.is_current and copy.version == 1
    province.refresh_from_db()
    assert province.is_current
    # A second copy into the same round is its next version there.
    again = copy_template(province, round_=new_round)
    copy.refresh_from_db()
    assert again.version == 2 and again.is_current and not copy.is_current


def test_one_current_template_per_round_and_unit_type(demo, new_round, unit):
    district = ReportTemplate.objects.get(round=demo, code="huyen", is_current=True)
    first = copy_template(district, round_=new_round)
    # Another template answering the same unit types, under a new code.
    first.code = "huyen-cu"
    first.save()
    second = copy_template(district, round_=new_round)
    first.refresh_from_db()
    assert second.is_current and not first.is_current
    assert template_for_unit(new_round, unit("705")) == second


def test_admin_copies_to_the_chosen_round(admin_client, demo, new_round):
    province = ReportTemplate.objects.get(round=demo, code="tinh", is_current=True)
    response = admin_client.post(
        reverse("admin:reports_reporttemplate_changelist"),
        {
            "action": "copy_to_round",
            "_selected_action": [province.pk],
            "target_round": new_round.pk,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Đã sao chép" in response.content.decode()
    assert ReportTemplate.objects.filter(
        round=new_round, code="tinh", is_current=True
    ).exists()
    province.refresh_from_db()
    assert province.is_current


def test_a_section_cannot_take_a_parent_from_another_template(demo, new_round):
    old = ReportTemplate.objects.get(round=demo, code="tinh", is_current=True)
    copy = copy_template(old, round_=new_round)
    foreign_parent = old.sections.get(code="II.1")
    section = Section(template=copy, parent=foreign_parent, code="X.1", title="Lạ")
    with pytest.raises(ValidationError):
        section.full_clean()
    with pytest.raises(ValidationError):
        section.save()
    assert not Section.objects.filter(code="X.1").exists()


def test_a_column_cannot_take_a_parent_from_another_table(demo):
    template = ReportTemplate.objects.get(round=demo, code="tinh", is_current=True)
    table, other = list(template.tables.order_by("order")[:2])
    foreign = other.columns.first()
    column = TableColumn(table=table, parent=foreign, code="la", label="Lạ")
    with pytest.raises(ValidationError):
        column.full_clean()
    with pytest.raises(ValidationError):
        column.save()


def test_admin_parent_dropdowns_offer_only_the_same_template(
    admin_client, demo, new_round
):
    old = ReportTemplate.objects.get(round=demo, code="tinh", is_current=True)
    copy = copy_template(old, round_=new_round)
    url = reverse("admin:reports_reporttemplate_change", args=[copy.pk])
    formset = admin_client.get(url).context["inline_admin_formsets"][0].formset
    parents = formset.forms[0].fields["parent"].queryset
    assert set(parents.values_list("template", flat=True)) == {copy.pk}
    table = copy.tables.order_by("order").first()
    url = reverse("admin:reports_appendixtable_change", args=[table.pk])
    formset = admin_client.get(url).context["inline_admin_formsets"][0].formset
    for name in ("parent", "numerator", "denominator"):
        offered = formset.forms[0].fields[name].queryset
        assert set(offered.values_list("table", flat=True)) == {table.pk}
