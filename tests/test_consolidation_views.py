import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import workflow
from reports.models import Cell, Unit
from reports.templatetags.consolidation_tags import vi_number
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db


def approve(round_, code, reviewer, make_user, *, seed=1, approve=True):
    staff = make_user(code, "staff")
    report = create_report(round_, Unit.objects.get(code=code))
    fill_report(report, staff, seed=seed)
    workflow.submit_report(report, actor=staff)
    if approve:
        workflow.approve_report(report, actor=reviewer)
    return report


@pytest.fixture
def province(demo, unit, make_user):
    reviewer = make_user("72", "reviewer")
    reports = {
        code: approve(demo, code, reviewer, make_user, seed=seed)
        for seed, code in enumerate(("703", "705", "72-HND"), start=1)
    }
    reports["709"] = approve(demo, "709", reviewer, make_user, seed=4, approve=False)
    return unit("72"), reviewer, reports


def test_vi_number_groups_thousands_and_drops_trailing_zeros():
    assert vi_number(Decimal("1234567.5000")) == "1.234.567,5"
    assert vi_number(Decimal("1200.0000")) == "1.200"
    assert vi_number(Decimal("85.25")) == "85,25"
    assert vi_number(None) == ""


def test_reviewer_sees_each_table_with_rows_total_and_missing_units(
    client, province, django_assert_max_num_queries
):
    parent, reviewer, reports = province
    client.force_login(reviewer)
    url = reverse("consolidation", args=[parent.pk])
    # 12 for the page and its consolidation, plus the outline's columns and
    # rules for checking the totals and the flags of the children's versions.
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    for code in ("1.1", "1.2", "1.3", "1.4", "1.5", "2"):
        assert f'id="bieu-{code}"' in page
    assert page.count("Tổng cộng") == 6
    assert "Cấp huyện" in page
    assert "Chưa có báo cáo" in page  # never a silent blank row
    assert "Đã nộp, chưa duyệt" in page  # 709 submitted, not counted
    assert "Huyện Bến Cầu" in page  # one of the missing districts
    assert "badge text-bg-warning" not in page  # 709 submitted only: off by default
    # Biểu 1.2 total of "tiền": 10*seed + order for seeds 1 and 2, shown vi-VN.
    tien = sum(
        Cell.objects.get(report=reports[c], column__code="tien").num
        for c in ("703", "705")
    )
    assert vi_number(tien) in page


def test_submitted_switch_marks_rows_that_are_not_approved(client, province):
    parent, reviewer, reports = province
    client.force_login(reviewer)
    page = client.get(
        reverse("consolidation", args=[parent.pk]), {"submitted": "1"}
    ).content.decode()
    assert "Gồm cả báo cáo đã nộp chưa duyệt" in page
    assert 'name="submitted" value="1" checked' in page
    row = re.search(r'<tr class="table-warning">.*?</tr>', page, re.S).group(0)
    assert "Thị xã Hòa Thành" in row and "chưa duyệt" in row


def test_query_count_is_the_same_with_more_children(
    client, province, demo, make_user, django_assert_num_queries
):
    parent, reviewer, _ = province
    client.force_login(reviewer)
    url = reverse("consolidation", args=[parent.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for seed, code in enumerate(("710", "711", "712"), start=5):
        approve(demo, code, reviewer, make_user, seed=seed)
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(url)


def test_district_reviewer_consolidates_communes_but_not_the_province(
    client, demo, unit, make_user
):
    reviewer = make_user("705", "reviewer")
    approve(demo, "25489", reviewer, make_user)
    client.force_login(reviewer)
    page = client.get(reverse("consolidation", args=[unit("705").pk])).content.decode()
    assert "Xã Tân Lập" in page and "Cấp xã" in page
    assert client.get(reverse("consolidation", args=[unit("72").pk])).status_code == 404
    assert (
        client.get(reverse("consolidation", args=[unit("703").pk])).status_code == 404
    )


def test_district_staff_and_other_units_get_404(client, demo, unit, make_user):
    client.force_login(make_user("705", "staff"))
    assert client.get(reverse("consolidation", args=[unit("72").pk])).status_code == 404
    assert client.get(reverse("consolidation", args=[999999])).status_code == 404


def test_admin_and_province_staff_may_read(client, demo, unit, make_user):
    url = reverse("consolidation", args=[unit("72").pk])
    client.force_login(make_user("72", "admin"))
    assert client.get(url).status_code == 200
    client.force_login(make_user("72", "staff"))
    page = client.get(url).content.decode()
    assert reverse("prefill_create", args=[unit("72").pk]) in page


def test_nav_has_tong_hop_for_those_who_consolidate(client, demo, unit, make_user):
    client.force_login(make_user("72", "reviewer"))
    page = client.get(reverse("home")).content.decode()
    assert "Tổng hợp" in page
    response = client.get(reverse("consolidation_index"))
    assert response.url == reverse("consolidation", args=[unit("72").pk])
    # Staff who write their report from the units below (the provincial drafter).
    client.force_login(make_user("72", "staff"))
    assert "Tổng hợp" in client.get(reverse("home")).content.decode()
    client.force_login(make_user("25489", "staff"))
    assert "Tổng hợp" not in client.get(reverse("home")).content.decode()
