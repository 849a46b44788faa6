"""The progress page (/tien-do/) as a newcomer reads it: districts first, member
organisations named as such and counted apart, tables that stay in their box."""

import re

import pytest
from django.urls import reverse

from reports import workflow
from reports.models import UnitType
from tests.factories import create_report, fill_report
from tests.test_cockpit import clock, local  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
URL = reverse("cockpit")


@pytest.fixture
def province_reviewer(client, demo, make_user):
    client.force_login(make_user("72", "reviewer"))
    return client


def _row_html(body, code):
    return re.search(rf'<tr data-unit="{re.escape(code)}".*?</tr>', body, re.S)[0]


def test_member_organisations_have_their_own_row_in_the_per_level_table(
    province_reviewer,
):
    data = province_reviewer.get(URL).context["data"]
    rows = {lt.level.code: lt.tally.expected for lt in data.levels}
    assert rows == {"huyen": 9, UnitType.TO_CHUC: 5, "xa": 94}
    assert [lt.level.code for lt in data.levels] == ["huyen", UnitType.TO_CHUC, "xa"]
    assert data.total.expected == 108
    body = province_reviewer.get(URL).content.decode()
    assert 'data-level="to_chuc"' in body and "Tổ chức thành viên" in body


def test_member_organisations_are_not_labelled_as_a_district(province_reviewer):
    body = province_reviewer.get(URL, {"level": "huyen"}).content.decode()
    org = _row_html(body, "72-HND")
    assert "Tổ chức thành viên" in org and "Huyện" not in org.split("</a>", 1)[1]
    assert "· Huyện" in _row_html(body, "705")


def test_districts_come_before_their_communes_even_when_communes_are_late(
    province_reviewer,
    demo,
    make_user,
    unit,
    clock,  # noqa: F811
):
    staff = make_user("705", "staff")
    report = fill_report(create_report(demo, unit("705")), staff)
    clock(local(2020, 12, 1))
    workflow.submit_report(report, actor=staff)
    clock(local(2020, 12, 5))  # the communes (due 30/11) are overdue, districts not
    rows = province_reviewer.get(URL).context["rows"]
    kinds = ["org" if r.unit.is_member_org else r.unit.level.code for r in rows]
    assert kinds[:14] == ["huyen"] * 9 + ["org"] * 5
    # Within a level, the units most behind still come first.
    assert rows[0].item.status != "submitted" and rows[8].unit.code == "705"


def test_the_per_level_table_scrolls_inside_its_own_box(province_reviewer):
    body = province_reviewer.get(URL).content.decode()
    assert re.search(
        r'<div class="table-responsive">\s*<table[^>]*cockpit-levels', body
    )
