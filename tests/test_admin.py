import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, demo, make_user):
    user = make_user("72", "admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_admin_lists_district_level_units_and_communes_with_codes(admin_client):
    url = reverse("admin:reports_unit_changelist")
    body = admin_client.get(
        url, {"level__id__exact": _level("huyen"), "unit_type__exact": "huyen"}
    ).content.decode()
    assert "Huyện Tân Biên" in body and "705" in body
    response = admin_client.get(url, {"level__id__exact": _level("xa")})
    assert response.context["cl"].result_count == 94
    response = admin_client.get(url, {"level__id__exact": _level("huyen")})
    # 9 districts + 5 member organisations share the level.
    assert response.context["cl"].result_count == 14
    districts = [
        u for u in response.context["cl"].result_list if u.unit_type != "to_chuc"
    ]
    assert len(districts) == 9


def _level(code):
    from reports.models import Level

    return Level.objects.get(code=code).pk


def test_admin_search_by_code(admin_client):
    response = admin_client.get(
        reverse("admin:reports_unit_changelist"), {"q": "25489"}
    )
    assert [u.code for u in response.context["cl"].result_list] == ["25489"]


def test_admin_is_vietnamese(admin_client):
    body = admin_client.get(reverse("admin:index")).content.decode()
    assert "Quản trị" in body and "Đơn vị" in body


def test_admin_csv_import_good_file(admin_client):
    data = "code,name,type,parent_code\n99001,Xã Mới,xa,705\n".encode()
    response = admin_client.post(
        reverse("admin:reports_unit_import_csv"),
        {"file": SimpleUploadedFile("u.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 302
    assert Unit.objects.get(code="99001").path == "72/705/99001/"


def test_admin_csv_import_bad_file_names_lines_and_saves_nothing(admin_client):
    before = Unit.objects.count()
    data = "code,name,type,parent_code\n99001,Xã Mới,xa,705\n99002,Xã Lạ,xa,4242\n"
    data = data.encode()
    response = admin_client.post(
        reverse("admin:reports_unit_import_csv"),
        {"file": SimpleUploadedFile("u.csv", data, content_type="text/csv")},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Dòng 3" in body and "4242" in body
    assert Unit.objects.count() == before


def test_non_admin_cannot_reach_the_admin(client, demo, make_user):
    client.force_login(make_user("705", "staff"))
    response = client.get(reverse("admin:reports_unit_changelist"))
    assert response.status_code == 302
