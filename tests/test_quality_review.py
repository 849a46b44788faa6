"""The reviewer's side of data quality: flags on the review page, a return comment
started from a flag, the review list's "có cảnh báo" filter, the consolidation."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import workflow
from reports.models import ReviewComment, Unit
from reports.quality import check
from tests.factories import create_report, fill_report
from tests.quality_helpers import districts, set_cell

pytestmark = pytest.mark.django_db


def _submit(demo, unit, make_user, seed, tweak=None, explain=None):
    staff = make_user(unit.code, "staff")
    report = fill_report(create_report(demo, unit), staff, seed=seed)
    if tweak:
        tweak(report)
    for key, text in (explain or {}).items():
        check.explain(report, key, text, actor=staff)
    workflow.submit_report(report, actor=staff)
    return report


def _warn(report):
    """110 million đồng to repair one house: a warning, not an outlier."""
    set_cell(report, "sua-nha-can", 1)
    set_cell(report, "sua-nha-tien", 110)


@pytest.fixture
def season(demo, make_user):
    """Every district but Tân Biên submitted without a flag; Tân Biên with an
    outlier (explained) and a warning."""
    reports = {}
    for seed, unit in enumerate(districts().exclude(code="705").order_by("code"), 2):
        reports[unit.code] = _submit(demo, unit, make_user, seed)

    def tweak(report):
        set_cell(report, "tien", 90000)
        _warn(report)

    reports["705"] = _submit(
        demo,
        Unit.objects.get(code="705"),
        make_user,
        5,
        tweak,
        {"outlier:1.2:tien": "Có dự án đường giao thông nông thôn lớn"},
    )
    return reports


@pytest.fixture
def reviewer(client, make_user):
    user = make_user("72", "reviewer")
    client.force_login(user)
    return user


def test_review_page_shows_each_flag_with_the_explanation_and_the_peers_range(
    client, season, reviewer
):
    report = season["705"]
    page = client.get(reverse("review_report", args=[report.pk])).content.decode()
    assert 'id="quality-flags"' in page
    assert "Có dự án đường giao thông nông thôn lớn" in page
    assert "Cần kiểm tra lại: 90.000 khác xa" in page
    assert "Các đơn vị cùng cấp:" in page and "(8 đơn vị)" in page
    assert "Kinh phí bình quân mỗi căn nhà sửa chữa vượt" in page
    assert "Đơn vị chưa giải thích." in page
    assert page.count('data-comment-form="flag-') == 2


def test_a_return_comment_started_from_a_flag_is_pinned_to_its_cell(
    client, season, reviewer
):
    report = season["705"]
    flag = report.versions.get().quality_flags.get(key="outlier:1.2:tien")
    response = client.post(
        reverse("review_comment", args=[report.pk]),
        {"column": flag.column_id, "text": f"Đề nghị kiểm tra lại: {flag.message}"},
    )
    assert response.status_code == 302
    comment = ReviewComment.objects.get(report=report)
    assert comment.column.code == "tien"
    workflow.return_report(report, actor=reviewer, reason="Xem lại Biểu 1.2")
    comment.refresh_from_db()
    assert comment.is_sent


def test_review_list_filters_flagged_reports_in_a_fixed_number_of_queries(
    client, season, reviewer, demo, make_user
):
    url = reverse("review_list") + "?canh-bao=1"
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert page.count("data-report=") == 1
    assert "Huyện Tân Biên" in page and "quality-flagged" in page

    # More reports, three more of them flagged: the same number of queries.
    orgs = Unit.objects.filter(parent__code="72", unit_type="to_chuc")
    for seed, org in enumerate(orgs, 2):
        report = _submit(demo, org, make_user, seed)
        assert report.versions.get().quality_flags.exists() is False
    for code in sorted(set(season) - {"705"})[:3]:
        report = season[code]
        workflow.return_report(report, actor=reviewer, reason="Sửa")
        _warn(report)
        workflow.submit_report(report, actor=make_user(code, "staff"))
    with CaptureQueriesContext(connection) as more:
        page = client.get(url).content.decode()
    assert page.count("data-report=") == 1 + 3
    assert len(more.captured_queries) == len(few.captured_queries)
    everything = client.get(reverse("review_list")).content.decode()
    assert everything.count("data-report=") == 8 + 1 + orgs.count()


def test_consolidation_counts_rule_failures_per_child_and_in_the_totals(
    client, demo, make_user
):
    units = list(districts().order_by("code"))
    for seed, unit in enumerate(units, 2):

        def tweak(report, unit=unit):
            if unit.code == "705":
                _warn(report)

        _submit(demo, unit, make_user, seed, tweak)
    reviewer = make_user("72", "reviewer")
    for unit in units:
        workflow.approve_report(unit.reports.get(), actor=reviewer)
    client.force_login(make_user("72", "staff"))
    page = client.get(
        reverse("consolidation", args=[Unit.objects.get(code="72").pk])
    ).content.decode()
    assert 'id="quality-consolidation"' in page, page[-3000:]
    assert "0 lỗi, 1 cảnh báo" in page
    assert 'id="quality-marks"' in page and '"1.3:sua-nha-tien"' in page
    # The totals' average cost per house stays under the bound: no total failure.
    assert "0 quy tắc sai ở dòng tổng cộng" in page
    tan_bien = Unit.objects.get(code="705")
    assert f'data-quality-unit="{tan_bien.code}"' in page


def test_totals_are_checked_by_the_rules(client, demo, make_user):
    from reports.consolidation import consolidate
    from reports.quality import reviewing

    units = list(districts().order_by("code"))[:3]
    for seed, unit in enumerate(units, 2):
        _submit(demo, unit, make_user, seed)
    reviewer = make_user("72", "reviewer")
    for unit in units:
        workflow.approve_report(unit.reports.get(), actor=reviewer)
    result = consolidate(Unit.objects.get(code="72"), demo)
    assert reviewing.total_failures(result) == []
    # Totals where more were resolved than received (as a consolidation of
    # units whose own figures each passed could never give, but the check holds).
    table = next(t for t in result.tables if t.table.code == "1.5")
    gq = next(c for c in table.layout.leaves if c.code == "kien-nghi-gq")
    table.total[gq.pk] = Decimal(10**6)
    table.partial.clear()  # as if every unit had reported
    keys = {f.key for f in reviewing.total_failures(result)}
    assert keys == {"rule:1.5:giai-quyet-trong-tong"}
    table.partial.add(gq.pk)
    assert reviewing.total_failures(result) == [], "a partial total is unknown"
