"""Frozen templates: read-only in the admin; a new version is a full copy."""

import pytest
from django.urls import reverse

from reports import workflow
from reports.drafts import start_report
from reports.models import ReportTemplate, TableColumn
from reports.outline import copy_template, template_for_unit
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(demo, unit, make_user):
    staff = make_user("705", "staff")
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    workflow.submit_report(report, actor=staff)
    report.template.refresh_from_db()
    return report


@pytest.fixture
def admin_client(client, demo, make_user):
    client.force_login(make_user("72", "admin", is_staff=True, is_superuser=True))
    return client


def test_copy_template_copies_everything_and_becomes_current(frozen, demo, unit):
    old = frozen.template
    copy = copy_template(old)
    old.refresh_from_db()
    assert (copy.version, copy.previous, copy.is_current) == (
        old.version + 1,
        old,
        True,
    )
    assert not old.is_current and copy.frozen_at is None
    assert copy.sections.count() == old.sections.count()
    assert copy.tables.count() == old.tables.count()
    assert TableColumn.objects.filter(table__template=copy).count() == (
        TableColumn.objects.filter(table__template=old).count()
    )
    nested = copy.sections.get(code="II.1.1")
    assert nested.parent.template == copy and nested.parent.code == "II.1"
    rate = TableColumn.objects.get(table__template=copy, code="ty-le-ho")
    assert rate.numerator.table.template == copy and rate.numerator.code == "ho-dat"
    assert rate.denominator.code == "tong-ho"
    group = TableColumn.objects.get(table__template=copy, code="ho-dat").parent
    assert group.table.template == copy
    # The submitted report keeps its template; new reports use the copy.
    frozen.refresh_from_db()
    assert frozen.template == old
    assert template_for_unit(demo, unit("706")) == copy
    assert start_report(unit("706"), demo).template == copy


def test_frozen_template_is_read_only_in_the_admin(frozen, admin_client):
    template = frozen.template
    url = reverse("admin:reports_reporttemplate_change", args=[template.pk])
    response = admin_client.get(url, follow=True)
    body = response.content.decode()
    assert "đã bị khóa" in body and "Tạo phiên bản mới để chỉnh sửa" in body
    assert 'name="_save"' not in body
    response = admin_client.post(url, {"name": "Đổi tên"})
    assert response.status_code == 403
    section = template.sections.get(code="I.1")
    url = reverse("admin:reports_section_change", args=[section.pk])
    assert 'name="_save"' not in admin_client.get(url).content.decode()
    table = template.tables.get(code="1.1")
    url = reverse("admin:reports_appendixtable_change", args=[table.pk])
    assert 'name="_save"' not in admin_client.get(url).content.decode()
    template.refresh_from_db()
    assert template.name != "Đổi tên"


def test_unfrozen_template_stays_editable(admin_client, demo):
    template = ReportTemplate.objects.get(round=demo, code="tinh", is_current=True)
    url = reverse("admin:reports_reporttemplate_change", args=[template.pk])
    assert 'name="_save"' in admin_client.get(url).content.decode()


def test_admin_action_makes_a_new_editable_version(frozen, admin_client):
    old = frozen.template
    response = admin_client.post(
        reverse("admin:reports_reporttemplate_changelist"),
        {"action": "make_new_version", "_selected_action": [old.pk]},
        follow=True,
    )
    assert "phiên bản này đang dùng" in response.content.decode()
    copy = ReportTemplate.objects.get(round=old.round, code=old.code, is_current=True)
    assert copy.previous == old and copy.version == old.version + 1
    url = reverse("admin:reports_reporttemplate_change", args=[copy.pk])
    assert 'name="_save"' in admin_client.get(url).content.decode()
