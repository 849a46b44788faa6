import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reports import workflow
from reports.audit import AUDITED
from reports.models import (
    Deadline,
    Extension,
    Level,
    Membership,
    Report,
    ReportTemplate,
    Round,
    Unit,
)
from tests.conftest import PASSWORD
from tests.factories import as_request_by, create_report, fill_report

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def admin_user(make_user):
    return make_user("72", "admin", username="qt.audit")


def _last(model, pk):
    return model.history.filter(id=pk).order_by("-history_id").first()


def test_a_change_to_each_audited_model_is_recorded_with_its_author(
    demo, unit, make_user, admin_user
):
    staff = make_user("705", "staff")
    reviewer = make_user("72", "reviewer")
    district = unit("705")
    deadline = Deadline.objects.filter(round=demo).first()
    template = ReportTemplate.objects.filter(round=demo).first()
    membership = Membership.objects.get(user=staff)
    report = create_report(demo, district)
    fill_report(report, staff)
    extension = {}

    def changes():
        district.name = "Huyện Tân Biên (mới)"
        district.save()
        demo.plan_number = "88/KH-MTTQ-BTT"
        demo.save()
        deadline.due_date = dt.date(2020, 12, 20)
        deadline.save()
        extension["obj"] = Extension.objects.create(
            round=demo,
            unit=district,
            new_date=dt.date(2020, 12, 31),
            reason="Lũ lụt",
            granted_by=admin_user,
        )
        membership.title = "Ban Thường trực"
        membership.save()
        template.subject = "Sơ kết 5 năm"
        template.save()
        staff.first_name = "Tên mới"
        staff.save()

    as_request_by(admin_user, changes)
    as_request_by(staff, lambda: workflow.submit_report(report, actor=staff))
    as_request_by(
        reviewer, lambda: workflow.approve_report(report, actor=reviewer, comment="")
    )

    for model, pk in [
        (Unit, district.pk),
        (Round, demo.pk),
        (Deadline, deadline.pk),
        (Extension, extension["obj"].pk),
        (Membership, membership.pk),
        (ReportTemplate, template.pk),
        (User, staff.pk),
    ]:
        assert _last(model, pk).history_user == admin_user, model
    rows = Report.history.filter(id=report.pk)
    assert {r.history_user for r in rows.filter(status="submitted")} == {staff}
    assert {r.history_user for r in rows.filter(status="approved")} == {reviewer}


def test_a_change_made_in_the_admin_records_the_administrator(client, demo, unit):
    admin = User.objects.get(username="quantri")
    client.force_login(admin)
    deadline = Deadline.objects.filter(round=demo, level__code="huyen").first()
    url = reverse("admin:reports_deadline_change", args=[deadline.pk])
    response = client.post(
        url,
        {
            "round": demo.pk,
            "level": deadline.level_id,
            "unit_type": "",
            "set_by": "",
            "due_date": "20/12/2020",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = _last(Deadline, deadline.pk)
    assert record.history_user == admin
    assert record.due_date == dt.date(2020, 12, 20)


def test_logging_in_adds_no_audit_row(client, demo, make_user):
    user = make_user("705", "staff", username="dn.audit")
    before = User.history.filter(id=user.pk).count()
    response = client.post(
        reverse("login"), {"username": "dn.audit", "password": PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None
    assert User.history.filter(id=user.pk).count() == before


def test_audit_log_shows_who_changed_which_field_from_what_to_what(
    client, demo, unit, admin_user
):
    district = unit("705")

    def rename():
        district.name = "Huyện Tân Biên Mới"
        district.save()

    as_request_by(admin_user, rename)
    client.force_login(admin_user)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    first = response.context["entries"][0]
    assert first.user == admin_user
    assert first.action == "Sửa"
    assert first.object_label == "Huyện Tân Biên Mới – 705"
    assert [(c.field, c.old, c.new) for c in first.changes] == [
        ("tên đơn vị", "Huyện Tân Biên", "Huyện Tân Biên Mới")
    ]
    body = response.content.decode()
    assert "Huyện Tân Biên</del>" in body and "Huyện Tân Biên Mới</ins>" in body


def test_audit_log_names_linked_objects_and_choices(client, demo, unit, admin_user):
    staff_membership = Membership.objects.get(user__username="tanbien")

    def move():
        staff_membership.unit = unit("703")
        staff_membership.role = "reviewer"
        staff_membership.save()

    as_request_by(admin_user, move)
    client.force_login(admin_user)
    response = client.get(reverse("audit_log"), {"model": "membership"})
    changes = {c.field: (c.old, c.new) for c in response.context["entries"][0].changes}
    assert changes["đơn vị"] == ("Huyện Tân Biên (705)", str(unit("703")))
    assert changes["vai trò"][1].startswith("Cán bộ thẩm định")


def test_audit_log_hides_password_hashes(client, demo, make_user, admin_user):
    user = make_user("705", "staff")
    as_request_by(
        admin_user, lambda: (user.set_password("mat-khau-moi-2"), user.save())
    )
    client.force_login(admin_user)
    response = client.get(reverse("audit_log"), {"model": "user"})
    body = response.content.decode()
    assert "(đã đổi)" in body
    for record in User.history.filter(id=user.pk):
        assert record.password not in body
    client.force_login(User.objects.get(username="quantri"))
    history = client.get(reverse("admin:auth_user_history", args=[user.pk]))
    assert history.status_code == 200
    history_body = history.content.decode()
    assert "(đã đổi)" in history_body
    for record in User.history.filter(id=user.pk):
        assert record.password not in history_body


def test_admin_history_page_shows_field_diffs_in_vietnamese(client, demo, unit):
    admin = User.objects.get(username="quantri")
    district = unit("705")
    as_request_by(
        admin, lambda: (setattr(district, "name", "Tân Biên 2"), district.save())
    )
    client.force_login(admin)
    response = client.get(reverse("admin:reports_unit_history", args=[district.pk]))
    body = response.content.decode()
    assert "Người thực hiện" in body
    assert "Lịch sử thay đổi: Tân Biên 2 (705)" in body
    assert "Huyện Tân Biên &rarr; Tân Biên 2" in body
    assert "quantri" in body


def test_audit_log_filters_by_model_and_by_user(
    client, demo, unit, make_user, admin_user
):
    other_admin = make_user("72", "admin", username="qt.khac")
    district = unit("705")
    deadline = Deadline.objects.filter(round=demo).first()
    as_request_by(admin_user, lambda: (setattr(district, "name", "A"), district.save()))
    as_request_by(
        other_admin,
        lambda: (setattr(deadline, "due_date", dt.date(2020, 12, 1)), deadline.save()),
    )
    client.force_login(admin_user)
    by_model = client.get(reverse("audit_log"), {"model": "deadline"}).context
    assert by_model["entries"] and {e.key for e in by_model["entries"]} == {"deadline"}
    by_user = client.get(reverse("audit_log"), {"user": "qt.khac"}).context
    assert [e.user for e in by_user["entries"]] == [other_admin]
    assert by_user["entries"][0].key == "deadline"
    unknown = client.get(reverse("audit_log"), {"user": "khong-co"})
    assert unknown.context["entries"] == []
    assert "Không có người dùng với tên đăng nhập này" in unknown.content.decode()


def test_audit_log_pages_and_pins_its_query_count(
    client, demo, unit, make_user, admin_user, django_assert_max_num_queries
):
    staff = make_user("705", "staff")
    report = fill_report(create_report(demo, unit("705")), staff)
    deadline = Deadline.objects.filter(round=demo).first()
    template = ReportTemplate.objects.filter(round=demo).first()
    district = unit("705")

    def change_every_audited_model():
        for obj, attr, value in [
            (district, "name", "Tân Biên 2"),
            (demo, "plan_number", "88/KH"),
            (deadline, "due_date", dt.date(2020, 12, 20)),
            (template, "subject", "Sơ kết"),
            (staff, "last_name", "Mới"),
            (Membership.objects.get(user=staff), "title", "Ban Thường trực"),
        ]:
            setattr(obj, attr, value)
            obj.save()
        Extension.objects.create(
            round=demo,
            unit=district,
            new_date=dt.date(2021, 1, 5),
            reason="Lũ",
            granted_by=admin_user,
        )
        workflow.submit_report(report, actor=staff)

    as_request_by(admin_user, change_every_audited_model)
    client.force_login(admin_user)
    # session, user, count, page, one per audited model, one per kind of linked
    # object (level, unit, round, user, campaign, template), memberships.
    with django_assert_max_num_queries(18):
        response = client.get(reverse("audit_log"))
    entries = response.context["entries"]
    assert {e.key for e in entries} == set(AUDITED)
    assert len(entries) == 50
    page = response.context["page"]
    assert page.paginator.count > 100
    last = client.get(reverse("audit_log"), {"page": page.paginator.num_pages})
    assert last.status_code == 200
    assert entries[0].when >= last.context["entries"][-1].when


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_audit_log_is_refused_to_non_administrators(client, demo, make_user, role):
    client.force_login(make_user("72", role))
    assert client.get(reverse("audit_log")).status_code == 403


def test_audit_log_sends_anonymous_to_login(client, demo):
    response = client.get(reverse("audit_log"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_audit_log_is_in_the_administrators_navigation(client, demo, make_user):
    client.force_login(make_user("72", "admin"))
    assert reverse("audit_log") in client.get(reverse("home")).content.decode()
    client.force_login(make_user("705", "staff"))
    assert reverse("audit_log") not in client.get(reverse("home")).content.decode()


def test_levels_are_not_audited_and_do_not_appear(client, demo, admin_user):
    # Guards the page's model list: only the audited models are offered.
    client.force_login(admin_user)
    response = client.get(reverse("audit_log"), {"model": "level"})
    assert response.context["model_key"] == ""
    assert not hasattr(Level, "history")
