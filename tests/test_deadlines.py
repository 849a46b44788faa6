import datetime as dt
import zoneinfo

import pytest

from reports.deadlines import effective_deadline
from reports.models import Deadline, Extension, Level

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def test_district_gets_its_levels_deadline(demo, unit):
    deadline = effective_deadline(unit("705"), demo)
    assert deadline.due_date == dt.date(2020, 12, 15)
    assert not deadline.is_extended


def test_member_organisation_gets_the_type_rule(demo, unit):
    assert effective_deadline(unit("72-HND"), demo).due_date == dt.date(2020, 12, 15)
    rule = Deadline.objects.get(round=demo, unit_type="to_chuc")
    rule.due_date = dt.date(2020, 12, 20)
    rule.save()
    assert effective_deadline(unit("72-HND"), demo).due_date == dt.date(2020, 12, 20)
    # The districts keep theirs.
    assert effective_deadline(unit("705"), demo).due_date == dt.date(2020, 12, 15)


def test_province_deadline(demo, unit):
    assert effective_deadline(unit("72"), demo).due_date == dt.date(2021, 1, 31)


def test_communes_follow_the_date_their_district_set(demo, unit):
    assert effective_deadline(unit("25489"), demo).due_date == dt.date(2020, 11, 30)
    Deadline.objects.filter(round=demo, set_by__code="705").update(
        due_date=dt.date(2020, 12, 5)
    )
    assert effective_deadline(unit("25489"), demo).due_date == dt.date(2020, 12, 5)
    # A commune of another district is untouched.
    assert effective_deadline(unit("25474"), demo).due_date == dt.date(2020, 11, 30)


def test_commune_without_a_district_rule_falls_back_to_a_general_rule(demo, unit):
    Deadline.objects.filter(round=demo, set_by__code="705").delete()
    assert effective_deadline(unit("25489"), demo) is None
    Deadline.objects.create(
        round=demo, level=Level.objects.get(code="xa"), due_date=dt.date(2020, 12, 1)
    )
    assert effective_deadline(unit("25489"), demo).due_date == dt.date(2020, 12, 1)


def test_extension_overrides_and_the_latest_wins(demo, unit, make_user):
    reviewer = make_user("72", "reviewer")
    district = unit("705")
    Extension.objects.create(
        round=demo,
        unit=district,
        new_date=dt.date(2020, 12, 22),
        reason="Bão lũ",
        granted_by=reviewer,
    )
    deadline = effective_deadline(district, demo)
    assert deadline.due_date == dt.date(2020, 12, 22)
    assert deadline.is_extended
    assert deadline.rule.due_date == dt.date(2020, 12, 15)
    Extension.objects.create(
        round=demo,
        unit=district,
        new_date=dt.date(2020, 12, 28),
        reason="Gia hạn thêm",
        granted_by=reviewer,
    )
    assert effective_deadline(district, demo).due_date == dt.date(2020, 12, 28)
    # Other districts are not extended.
    assert not effective_deadline(unit("703"), demo).is_extended


def test_on_time_until_the_end_of_the_due_day_in_vietnam(demo, unit):
    deadline = effective_deadline(unit("705"), demo)
    assert deadline.is_on_time(dt.datetime(2020, 12, 15, 23, 59, 59, tzinfo=HCM))
    assert not deadline.is_on_time(dt.datetime(2020, 12, 16, 0, 0, tzinfo=HCM))
    # 17:30 UTC on the 15th is 00:30 on the 16th in Vietnam: late.
    assert not deadline.is_on_time(dt.datetime(2020, 12, 15, 17, 30, tzinfo=dt.UTC))


def test_days_left_and_days_late(demo, unit):
    deadline = effective_deadline(unit("705"), demo)
    assert deadline.days_left(dt.date(2020, 12, 10)) == 5
    assert deadline.days_left(dt.date(2020, 12, 15)) == 0
    assert deadline.days_left(dt.date(2020, 12, 18)) == -3
