import datetime as dt
import gc
import json
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports import workflow
from reports.models import Unit
from reports.timeliness import Timeliness
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
URL = reverse("cockpit")
QUERY_LIMIT = 14


def local(*args):
    return dt.datetime(*args, tzinfo=HCM)


@pytest.fixture
def clock(monkeypatch):
    def set_clock(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_clock


def codes(response):
    return [row.unit.code for row in response.context["rows"]]


def all_codes(response):
    return {item.unit.code for item in response.context["data"].items}


def test_anonymous_is_sent_to_login(client, demo):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_unit_staff_are_denied(client, demo, make_user):
    client.force_login(make_user("705", "staff"))
    response = client.get(URL)
    assert response.status_code == 403
    assert "Trang tiến độ dành cho cán bộ thẩm định" in response.content.decode()


def test_province_reviewer_sees_every_unit_below_the_province(client, demo, make_user):
    client.force_login(make_user("72", "reviewer"))
    response = client.get(URL)
    assert response.status_code == 200
    below = Unit.objects.filter(path__startswith="72/").exclude(code="72")
    assert all_codes(response) == set(below.values_list("code", flat=True))
    assert "72" not in all_codes(response)
    data = response.context["data"]
    # Member organisations share the districts' level but have their own row.
    assert {lt.level.code: lt.tally.expected for lt in data.levels} == {
        "huyen": 9,
        "to_chuc": 5,
        "xa": 94,
    }
    # One progress bar per direct child: 9 districts and 5 member organisations.
    assert len(data.progress) == 14
    tan_bien = next(p for p in data.progress if p.unit.code == "705")
    assert tan_bien.tally.expected == Unit.objects.filter(parent__code="705").count()


def test_district_reviewer_sees_only_its_communes(client, demo, make_user, unit):
    client.force_login(make_user("705", "reviewer"))
    response = client.get(URL)
    assert response.status_code == 200
    communes = set(
        Unit.objects.filter(parent__code="705").values_list("code", flat=True)
    )
    assert all_codes(response) == communes
    assert "705" not in all_codes(response) and "25456" not in all_codes(response)
    # Another district as the parent filter answers 404.
    assert client.get(URL, {"parent": unit("703").pk}).status_code == 404


def test_administrator_sees_everything(client, demo, django_user_model):
    client.force_login(django_user_model.objects.get(username="quantri"))
    response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["data"].items) == Unit.objects.count()


def test_rates_per_level_count_on_time_and_late_submissions(
    client, demo, make_user, unit, clock
):
    reviewer = make_user("72", "reviewer")
    for code, moment in (("705", local(2020, 12, 15, 23, 59)), ("703", None)):
        staff = make_user(code, "staff")
        report = fill_report(create_report(demo, unit(code)), staff)
        clock(moment or local(2020, 12, 16, 0, 0))
        workflow.submit_report(report, actor=staff)
    workflow.approve_report(
        create_report(demo, unit("703")), actor=reviewer
    )  # approved, but late
    clock(local(2020, 12, 20))
    client.force_login(reviewer)
    response = client.get(URL)
    huyen = next(
        lt for lt in response.context["data"].levels if lt.level.code == "huyen"
    )
    assert (huyen.tally.expected, huyen.tally.reported, huyen.tally.on_time) == (
        9,
        2,
        1,
    )
    assert huyen.tally.reporting_rate == 22.2
    total = response.context["data"].total
    assert (total.expected, total.reported, total.on_time) == (108, 2, 1)
    assert huyen.tally.on_time_rate == 11.1
    body = response.content.decode()
    assert "22,2%" in body and "11,1%" in body


def test_late_units_come_first_and_status_filter_narrows_the_table(
    client, demo, make_user, unit, clock
):
    staff = make_user("705", "staff")
    report = fill_report(create_report(demo, unit("705")), staff)
    clock(local(2020, 12, 10))
    workflow.submit_report(report, actor=staff)
    clock(local(2020, 12, 5))
    reviewer = make_user("72", "reviewer")
    client.force_login(reviewer)
    response = client.get(URL)
    rows = response.context["rows"]
    # On 5/12 the communes (due 30/11) are overdue, the districts are not; the
    # districts still come first (level by level), the most behind first in each.
    assert rows[0].unit.level.code == "huyen"
    communes = [row.item.status for row in rows if row.unit.level.code == "xa"]
    assert communes and all(s == Timeliness.OVERDUE for s in communes)
    clock(local(2020, 12, 16))
    client.force_login(reviewer)  # eleven days later: a new session
    response = client.get(URL, {"status": "on_time"})
    assert codes(response) == ["705"]
    response = client.get(URL, {"status": "overdue", "level": "huyen"})
    assert len(codes(response)) == 13 and "705" not in codes(response)
    assert all(
        row.unit.level.code == "huyen" and row.item.status == "overdue"
        for row in response.context["rows"]
    )


def test_parent_filter_shows_one_districts_communes_and_their_bars(
    client, demo, make_user, unit
):
    client.force_login(make_user("72", "reviewer"))
    body = client.get(URL).content.decode()
    # A district's bar drills down; a member organisation has nothing below.
    assert f'href="?parent={unit("705").pk}"' in body
    assert f'href="?parent={unit("72-HND").pk}"' not in body
    response = client.get(URL, {"parent": unit("705").pk})
    communes = set(
        Unit.objects.filter(parent__code="705").values_list("code", flat=True)
    )
    assert all_codes(response) == communes
    assert {p.unit.code for p in response.context["data"].progress} == communes


def test_table_is_paginated_by_fifty(client, demo, make_user):
    client.force_login(make_user("72", "reviewer"))
    response = client.get(URL)
    assert len(response.context["rows"]) == 50
    assert response.context["page"].paginator.num_pages == 3
    response = client.get(URL, {"page": 3})
    assert len(response.context["rows"]) == 108 - 100


def test_chart_data_is_json_with_the_deadline_lines_and_chart_js_is_local(
    client, demo, make_user, unit, clock
):
    staff = make_user("705", "staff")
    report = fill_report(create_report(demo, unit("705")), staff)
    clock(local(2020, 12, 10, 9))
    workflow.submit_report(report, actor=staff)
    clock(local(2020, 12, 20))
    client.force_login(make_user("72", "reviewer"))
    response = client.get(URL)
    body = response.content.decode()
    assert "/static/vendor/chart.js/chart.umd.min.js" in body
    assert 'id="progress-chart-data" type="application/json"' in body
    chart = response.context["data"].chart
    json.dumps(chart)
    assert chart["expected"] == 108
    assert chart["submitted"][-1] == 1 and chart["approved"][-1] == 0
    ten_dec = chart["labels"].index("10/12/2020")
    assert chart["submitted"][ten_dec - 1] == 0 and chart["submitted"][ten_dec] == 1
    lines = {
        line["label"]: chart["labels"][line["index"]] for line in chart["deadlines"]
    }
    assert lines == {
        "Hạn cấp xã 30/11": "30/11/2020",
        "Hạn cấp huyện 15/12": "15/12/2020",
    }


def test_days_left_and_deadline_are_printed_day_month_year(
    client, demo, make_user, clock
):
    clock(local(2020, 12, 12))
    client.force_login(make_user("72", "reviewer"))
    body = client.get(URL, {"level": "huyen"}).content.decode()
    assert "15/12/2020" in body and "còn 3 ngày" in body
    body = client.get(URL, {"level": "xa"}).content.decode()
    assert "30/11/2020" in body and "quá 12 ngày" in body


def _queries(client, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_fixed_whatever_the_scope(
    client, demo, make_user, django_assert_max_num_queries
):
    province, district = make_user("72", "reviewer"), make_user("705", "reviewer")
    client.force_login(province)
    with django_assert_max_num_queries(QUERY_LIMIT):
        client.get(URL)
    wide = _queries(client)
    filtered = _queries(client, {"status": "overdue", "level": "xa", "page": 2})
    client.force_login(district)
    narrow = _queries(client)
    assert wide == narrow == filtered


def test_the_cockpit_leaves_the_garbage_collector_on(
    client, demo, make_user, monkeypatch
):
    # A process-wide switch would hold for every thread of a worker while the
    # page is built; the page must be fast without one.
    from reports.views import progress

    seen = []
    build = progress.build_cockpit

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return build(*args, **kwargs)

    monkeypatch.setattr(progress, "build_cockpit", watched)
    client.force_login(make_user("72", "reviewer"))
    assert gc.isenabled()
    assert client.get(URL).status_code == 200
    assert seen == [True]
    assert gc.isenabled()


def test_reviewers_get_the_nav_entry_and_staff_do_not(client, demo, make_user):
    client.force_login(make_user("72", "reviewer"))
    assert 'href="/tien-do/"' in client.get(reverse("home")).content.decode()
    client.force_login(make_user("705", "staff"))
    assert 'href="/tien-do/"' not in client.get(reverse("home")).content.decode()
