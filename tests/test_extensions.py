import datetime as dt

import pytest
from django.urls import reverse

from reports.deadlines import ExtensionRefused, effective_deadline, grant_extension
from reports.models import Extension, Membership
from reports.timeliness import Timeliness, timeliness_for

pytestmark = pytest.mark.django_db


def grant_url(unit):
    return reverse("extension_grant", args=[unit.pk])


def test_province_reviewer_grants_a_district_a_new_date(client, demo, make_user, unit):
    reviewer = make_user("72", "reviewer")
    client.force_login(reviewer)
    district = unit("705")
    page = client.get(grant_url(district))
    assert page.status_code == 200
    assert "15/12/2020" in page.content.decode()
    response = client.post(
        grant_url(district), {"new_date": "22/12/2020", "reason": "Bão lũ kéo dài"}
    )
    assert response.status_code == 302 and response.url == reverse("cockpit")
    extension = Extension.objects.get(unit=district)
    assert extension.new_date == dt.date(2020, 12, 22)
    assert (extension.reason, extension.granted_by) == ("Bão lũ kéo dài", reviewer)
    deadline = effective_deadline(district, demo)
    assert deadline.is_extended and deadline.due_date == dt.date(2020, 12, 22)
    now = dt.datetime(2020, 12, 20, 9, tzinfo=dt.UTC)
    assert timeliness_for(demo, [district], now=now)[district.pk].status == (
        Timeliness.EXTENDED
    )


def test_the_unit_sees_its_new_date(client, demo, make_user, unit):
    district = unit("705")
    grant_extension(
        demo,
        district,
        actor=make_user("72", "reviewer"),
        new_date=dt.date(2020, 12, 28),
        reason="Đổi nhân sự",
    )
    client.force_login(make_user("705", "staff"))
    home = client.get(reverse("home")).content.decode()
    assert "28/12/2020" in home and "được gia hạn" in home
    detail = client.get(reverse("unit_detail", args=[district.pk])).content.decode()
    assert "28/12/2020" in detail


def test_district_reviewer_extends_its_commune_but_not_itself(
    client, demo, make_user, unit
):
    client.force_login(make_user("705", "reviewer"))
    response = client.post(
        grant_url(unit("25489")), {"new_date": "07/12/2020", "reason": "Ngập lụt"}
    )
    assert response.status_code == 302
    assert Extension.objects.filter(unit__code="25489").exists()
    response = client.post(
        grant_url(unit("705")), {"new_date": "30/12/2020", "reason": "Tự gia hạn"}
    )
    assert response.status_code == 403
    assert not Extension.objects.filter(unit__code="705").exists()


def test_another_districts_commune_answers_404(client, demo, make_user, unit):
    client.force_login(make_user("705", "reviewer"))
    for method in (client.get, client.post):
        response = method(
            grant_url(unit("25456")), {"new_date": "07/12/2020", "reason": "x"}
        )
        assert response.status_code == 404
    assert client.get(reverse("extension_grant", args=[999_999])).status_code == 404
    assert not Extension.objects.exists()


def test_unit_staff_cannot_extend_their_own_deadline(client, demo, make_user, unit):
    client.force_login(make_user("705", "staff"))
    response = client.post(
        grant_url(unit("705")), {"new_date": "30/12/2020", "reason": "Xin thêm"}
    )
    assert response.status_code == 403
    assert not Extension.objects.exists()


def test_anonymous_is_sent_to_login(client, demo, unit):
    response = client.post(grant_url(unit("705")), {})
    assert response.status_code == 302 and reverse("login") in response.url


def test_missing_reason_keeps_the_typed_date(client, demo, make_user, unit):
    client.force_login(make_user("72", "reviewer"))
    response = client.post(grant_url(unit("705")), {"new_date": "22/12/2020"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Cần ghi lý do gia hạn." in body
    assert 'value="22/12/2020"' in body
    response = client.post(
        grant_url(unit("705")), {"new_date": "22/12/2020", "reason": "   "}
    )
    assert "Cần ghi lý do gia hạn." in response.content.decode()
    assert not Extension.objects.exists()


@pytest.mark.parametrize(
    "typed, message",
    [
        ("31/02/2021", "Ngày không hợp lệ"),
        ("2020-12-22", "Ngày không hợp lệ"),
        ("", "Cần nhập hạn mới."),
        ("10/12/2020", "Hạn mới phải sau hạn hiện tại (15/12/2020)."),
        ("15/12/2020", "Hạn mới phải sau hạn hiện tại (15/12/2020)."),
    ],
)
def test_bad_dates_are_refused_with_a_message(
    client, demo, make_user, unit, typed, message
):
    client.force_login(make_user("72", "reviewer"))
    response = client.post(
        grant_url(unit("705")), {"new_date": typed, "reason": "Bão lũ"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert "Bão lũ" in body
    assert not Extension.objects.exists()


def test_service_refuses_without_right_or_reason(demo, make_user, unit):
    both = make_user("72", "reviewer")
    Membership.objects.create(user=both, unit=unit("705"), role="staff")
    with pytest.raises(ExtensionRefused, match="không có quyền"):
        grant_extension(
            demo, unit("705"), actor=both, new_date=dt.date(2021, 1, 5), reason="x"
        )
    with pytest.raises(ExtensionRefused, match="không có quyền"):
        grant_extension(
            demo,
            unit("705"),
            actor=make_user("705", "staff"),
            new_date=dt.date(2021, 1, 5),
            reason="x",
        )
    with pytest.raises(ExtensionRefused, match="lý do"):
        grant_extension(
            demo,
            unit("705"),
            actor=make_user("72", "reviewer"),
            new_date=dt.date(2021, 1, 5),
            reason=" ",
        )


def test_extension_list_shows_who_granted_what_and_when_within_scope(
    client, demo, make_user, unit, django_assert_max_num_queries
):
    reviewer = make_user("72", "reviewer", username="Trần Thị Gia Hạn")
    for code, day in (("705", 22), ("703", 23), ("25489", 5)):
        grant_extension(
            demo,
            unit(code),
            actor=reviewer,
            new_date=dt.date(2020, 12, day),
            reason=f"Lý do {code}",
        )
    client.force_login(reviewer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("extension_list"))
    body = response.content.decode()
    assert "Trần Thị Gia Hạn" in body and "Lý do 705" in body
    assert "22/12/2020" in body and "05/12/2020" in body
    # A district's reviewer sees its own communes' extensions only.
    client.force_login(make_user("703", "reviewer"))
    body = client.get(reverse("extension_list")).content.decode()
    assert "Lý do 705" not in body and "Lý do 25489" not in body
    assert "Lý do 703" in body  # the district itself is visible to its members


def test_plan_deadlines_are_preloaded_and_an_administrator_changes_one_per_level(
    admin_client, demo, unit
):
    from reports.models import Deadline

    huyen = Deadline.objects.get(round=demo, level__code="huyen", set_by=None)
    assert huyen.due_date == dt.date(2020, 12, 15)
    assert Deadline.objects.get(round=demo, level__code="tinh").due_date == dt.date(
        2021, 1, 31
    )
    url = reverse("admin:reports_deadline_change", args=[huyen.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    response = admin_client.post(
        url,
        {
            "round": demo.pk,
            "level": huyen.level_id,
            "unit_type": "",
            "set_by": "",
            "due_date": "18/12/2020",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert effective_deadline(unit("705"), demo).due_date == dt.date(2020, 12, 18)
    # The communes keep the date their district set.
    assert effective_deadline(unit("25489"), demo).due_date == dt.date(2020, 11, 30)


def test_reminder_log_is_read_only_in_the_admin(admin_client, demo):
    assert (
        admin_client.get(reverse("admin:reports_reminderlog_changelist")).status_code
        == 200
    )
    assert admin_client.get(reverse("admin:reports_reminderlog_add")).status_code == 403


def test_the_admin_refuses_an_extension_date_out_of_bounds(admin_client, demo, unit):
    url = reverse("admin:reports_extension_add")
    tan_bien = unit("705")
    form = {"round": demo.pk, "unit": tan_bien.pk, "reason": "Lũ lụt"}
    for typed in ["01/01/9999", "10/12/2020"]:  # years late; before the deadline
        response = admin_client.post(url, {**form, "new_date": typed})
        assert response.status_code == 200, typed
        assert "Hạn mới" in response.content.decode(), typed
    assert not Extension.objects.exists()
    response = admin_client.post(url, {**form, "new_date": "20/12/2020"})
    assert response.status_code == 302
    assert effective_deadline(tan_bien, demo).due_date == dt.date(2020, 12, 20)
