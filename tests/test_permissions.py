import pytest

from reports import permissions
from reports.models import Report, Unit
from reports.outline import template_for_unit

pytestmark = pytest.mark.django_db


def make_report(round_, unit):
    return Report.objects.create(
        unit=unit, round=round_, template=template_for_unit(round_, unit)
    )


def test_district_staff_sees_only_its_own_subtree(demo, make_user, unit):
    staff = make_user("705", "staff")
    visible = permissions.units_visible_to(staff)
    assert unit("705") in visible
    assert unit("25489") in visible  # its commune
    assert unit("703") not in visible
    assert unit("72") not in visible


def test_province_reviewer_sees_every_unit(demo, make_user):
    reviewer = make_user("72", "reviewer")
    assert permissions.units_visible_to(reviewer).count() == Unit.objects.count()


def test_reports_visible_by_role(demo, make_user, unit):
    own = make_report(demo, unit("705"))
    other = make_report(demo, unit("703"))
    commune = make_report(demo, unit("25489"))
    province = make_report(demo, unit("72"))
    staff = make_user("705", "staff")
    assert set(permissions.reports_visible_to(staff)) == {own}
    district_reviewer = make_user("705", "reviewer")
    assert set(permissions.reports_visible_to(district_reviewer)) == {commune}
    province_reviewer = make_user("72", "reviewer")
    assert set(permissions.reports_visible_to(province_reviewer)) == {
        own,
        other,
        commune,
    }
    assert province not in permissions.reports_visible_to(province_reviewer)
    nobody = make_user("705", "staff")
    nobody.memberships.all().delete()
    nobody._sokket_memberships = None
    assert not permissions.reports_visible_to(nobody).exists()


def test_district_staff_cannot_open_another_districts_report(demo, make_user, unit):
    other = make_report(demo, unit("703"))
    staff = make_user("705", "staff")
    with pytest.raises(permissions.Http404):
        permissions.get_report_for_user_or_404(staff, other.pk)
    with pytest.raises(permissions.Http404):
        permissions.get_report_for_user_or_404(staff, 999_999)


def test_edit_and_review_rights(demo, make_user, unit):
    report = make_report(demo, unit("705"))
    staff = make_user("705", "staff")
    province_reviewer = make_user("72", "reviewer")
    district_reviewer = make_user("705", "reviewer")
    assert permissions.can_edit(staff, report)
    assert not permissions.can_edit(province_reviewer, report)
    assert permissions.can_review(province_reviewer, report)
    # Nobody reviews their own unit's report.
    assert not permissions.can_review(district_reviewer, report)
    both = make_user("705", "staff")
    assert not permissions.can_review(both, report)


def test_admin_sees_everything(demo, make_user, unit):
    admin = make_user("72", "admin")
    make_report(demo, unit("703"))
    assert permissions.is_admin(admin)
    assert permissions.reports_visible_to(admin).count() == 1
    assert permissions.units_visible_to(admin).count() == Unit.objects.count()


def test_inactive_user_cannot_edit(demo, make_user, unit):
    report = make_report(demo, unit("705"))
    staff = make_user("705", "staff")
    staff.is_active = False
    assert not permissions.can_edit(staff, report)
