import datetime as dt

import pytest
from django.urls import reverse

from reports.models import Extension, Unit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_is_vietnamese(client):
    response = client.get(reverse("login"))
    body = response.content.decode()
    assert "Đăng nhập" in body and "Mật khẩu" in body and 'lang="vi"' in body


def test_wrong_password_gets_a_vietnamese_message(client, demo):
    response = client.post(reverse("login"), {"username": "tanbien", "password": "sai"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_repeated_failed_logins_are_throttled(client, demo, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "tanbien", "password": "sai"})
    response = client.post(
        reverse("login"), {"username": "tanbien", "password": "sokket-demo-2020"}
    )
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()
    # Another account from the same address is not locked.
    response = client.post(
        reverse("login"), {"username": "tinh.pttg", "password": "sokket-demo-2020"}
    )
    assert response.status_code == 302


def test_demo_accounts_log_in(client, demo):
    for username in [
        "quantri",
        "tinh.pttg",
        "tinh.soanthao",
        "tanbien",
        "tanbien.duyet",
        "xa.tanlap",
        "hoinongdan",
    ]:
        response = client.post(
            reverse("login"), {"username": username, "password": "sokket-demo-2020"}
        )
        assert response.status_code == 302, username
        client.post(reverse("logout"))


def test_district_staff_home_shows_unit_round_and_deadline(client, demo, make_user):
    user = make_user("705", "staff")
    client.force_login(user)
    body = client.get(reverse("home")).content.decode()
    assert "Huyện Tân Biên" in body
    assert "Sơ kết 5 năm (2016–2020)" in body
    assert "15/12/2020" in body
    assert "Đã quá hạn" in body  # today is long after 2020


def test_home_counts_days_left_before_the_deadline(
    client, demo, make_user, monkeypatch
):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2020, 12, 10))
    client.force_login(make_user("705", "staff"))
    body = client.get(reverse("home")).content.decode()
    assert "Còn 5 ngày" in body


def test_home_shows_an_extension(client, demo, make_user):
    user = make_user("705", "staff")
    Extension.objects.create(
        round=demo,
        unit=Unit.objects.get(code="705"),
        new_date=dt.date(2020, 12, 30),
        reason="Thiên tai",
        granted_by=make_user("72", "reviewer"),
    )
    client.force_login(user)
    body = client.get(reverse("home")).content.decode()
    assert "30/12/2020" in body and "được gia hạn" in body


def test_commune_staff_home_shows_the_districts_date(client, demo, make_user):
    client.force_login(make_user("25489", "staff"))
    body = client.get(reverse("home")).content.decode()
    assert "Xã Tân Lập" in body and "30/11/2020" in body


def test_member_org_staff_home(client, demo, make_user):
    client.force_login(make_user("72-HND", "staff"))
    body = client.get(reverse("home")).content.decode()
    assert "Hội Nông dân tỉnh" in body and "15/12/2020" in body


def test_reviewer_home_summarises_units_below(client, demo, make_user):
    client.force_login(make_user("72", "reviewer"))
    body = client.get(reverse("home")).content.decode()
    assert "Đơn vị cấp dưới" in body
    # 9 district-level units and 5 member organisations sit below the province.
    assert "<strong>14</strong>" in body


def test_admin_home_links_to_the_admin(client, demo, make_user):
    client.force_login(make_user("72", "admin", is_staff=True))
    body = client.get(reverse("home")).content.decode()
    assert reverse("admin:index") in body


def test_admin_link_hidden_from_an_administrator_the_django_admin_refuses(
    client, demo, make_user
):
    # Without is_staff the Django admin answers with its login page: no link.
    client.force_login(make_user("72", "admin"))
    body = client.get(reverse("home")).content.decode()
    assert reverse("admin:index") not in body


def test_user_without_a_unit_is_told_so(client, demo, django_user_model):
    user = django_user_model.objects.create_user("lac", password=PASSWORD)
    client.force_login(user)
    assert "chưa được gán vào đơn vị" in client.get(reverse("home")).content.decode()


def test_unit_page_of_own_subtree(client, demo, make_user):
    client.force_login(make_user("705", "staff"))
    commune = Unit.objects.get(code="25489")
    response = client.get(reverse("unit_detail", args=[commune.pk]))
    assert response.status_code == 200
    assert "Xã Tân Lập" in response.content.decode()


def test_unit_page_outside_subtree_is_404(client, demo, make_user):
    client.force_login(make_user("705", "staff"))
    other = Unit.objects.get(code="25474")  # Xã Tân Bình of Thành phố Tây Ninh
    assert client.get(reverse("unit_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("unit_detail", args=[10**9])).status_code == 404


def test_unit_list_is_scoped(client, demo, make_user):
    client.force_login(make_user("705", "staff"))
    body = client.get(reverse("unit_list")).content.decode()
    assert "Xã Tân Lập" in body and "Phường Hiệp Ninh" not in body


def test_vietnamese_number_and_date_formats(settings):
    from django.utils import formats, translation

    with translation.override("vi"):
        assert (
            formats.number_format(
                1234567.5, decimal_pos=1, use_l10n=True, force_grouping=True
            )
            == "1.234.567,5"
        )
        assert (
            formats.date_format(dt.date(2020, 12, 15), "SHORT_DATE_FORMAT")
            == "15/12/2020"
        )
