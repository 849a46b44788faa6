"""Bad input: forged posts, script in names, odd Unicode, huge and random files."""

import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.models import Membership, Unit, UnitType
from reports.units import UnitImportError, import_units
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HEADER = "code,name,type,parent_code\n"
SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
ZWSP = "\u200b"


def nfd(text):
    return unicodedata.normalize("NFD", text)


@pytest.fixture
def superuser(make_user):
    return make_user("72", "admin", is_staff=True, is_superuser=True)


# CSRF ---------------------------------------------------------------------


def test_login_without_a_csrf_token_is_refused(demo, make_user):
    make_user("705", "staff", username="csrf.staff")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("login"), {"username": "csrf.staff", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_login_with_the_csrf_token_works(demo, make_user):
    # The control for the test above: the same post with its token succeeds.
    make_user("705", "staff", username="csrf.staff2")
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("login"),
        {"username": "csrf.staff2", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_admin_csv_import_without_a_csrf_token_is_refused(demo, superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    upload = SimpleUploadedFile(
        "u.csv", (HEADER + "99001,Xã Giả Mạo,xa,705\n").encode(), "text/csv"
    )
    response = client.post(reverse("admin:reports_unit_import_csv"), {"file": upload})
    assert response.status_code == 403
    assert not Unit.objects.filter(code="99001").exists()


def test_logout_without_a_csrf_token_is_refused(demo, make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("705", "staff"))
    assert client.post(reverse("logout")).status_code == 403
    assert "_auth_user_id" in client.session


# Script in names --------------------------------------------------------------


def test_script_in_an_imported_unit_name_is_shown_inert(client, demo, superuser):
    client.force_login(superuser)
    upload = SimpleUploadedFile(
        "u.csv",
        (HEADER + f'99002,"{SCRIPT.replace(chr(34), chr(34) * 2)}",xa,705\n').encode(),
    )
    response = client.post(reverse("admin:reports_unit_import_csv"), {"file": upload})
    assert response.status_code == 302
    evil = Unit.objects.get(code="99002")
    assert evil.name == SCRIPT
    Membership.objects.create(user=superuser, unit=evil, role="staff")

    pages = [
        reverse("unit_list") + "?q=99002",
        reverse("unit_detail", args=[evil.pk]),
        reverse("unit_detail", args=[evil.parent_id]),
        reverse("home"),
        reverse("audit_log") + "?model=unit",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body, url
        assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in body, url


# Decomposed Vietnamese and invisible characters -----------------------------


def test_import_stores_names_in_nfc_without_zero_width_characters(demo):
    name = "Xã Tân Bình Mới"
    data = HEADER + f"{ZWSP}99003{ZWSP},{nfd(name)}{ZWSP},xa,705\ufeff\n"
    assert nfd(name) != name
    result = import_units(data.encode())
    assert result.created == ["99003"]
    unit = Unit.objects.get(code="99003")
    assert unit.name == name
    assert unit.parent.code == "705"


def test_unit_search_typed_in_nfd_finds_the_nfc_name(client, demo, make_user):
    client.force_login(make_user("72", "reviewer"))
    response = client.get(reverse("unit_list"), {"q": nfd("Xã Tân Bình") + ZWSP})
    names = {u.name for u in response.context["page"]}
    assert names == {"Xã Tân Bình"}
    assert len(response.context["page"]) == 2


def test_login_username_with_zero_width_characters_and_nfd_logs_in(
    client, demo, make_user
):
    make_user("705", "staff", username="cán.bộ")
    response = client.post(
        reverse("login"),
        {"username": f"{ZWSP}{nfd('cán.bộ')}{ZWSP}", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_search_boxes_survive_nul_and_huge_queries(client, demo, superuser):
    client.force_login(superuser)
    for params in [{"q": "Tân\x00Biên"}, {"q": "x" * 100_000}, {"level": "\x00"}]:
        assert client.get(reverse("unit_list"), params).status_code == 200
    for params in [{"user": "qt\x00"}, {"model": "\x00"}, {"page": "\x00"}]:
        assert client.get(reverse("audit_log"), params).status_code == 200


def test_login_survives_nul_and_huge_usernames(client, demo):
    for username in ["tan\x00bien", "x" * 100_000]:
        response = client.post(
            reverse("login"), {"username": username, "password": "sai"}
        )
        assert response.status_code == 200
        assert not response.context["form"].is_valid()
    body = response.content.decode()
    assert "Tên đăng nhập dài quá 150 ký tự" in body


# Huge input ---------------------------------------------------------------


def test_a_100000_character_name_is_refused_with_a_clear_message(demo):
    with pytest.raises(UnitImportError) as info:
        import_units((HEADER + f"99004,{'X' * 100_000},xa,705\n").encode())
    assert info.value.errors == ["Dòng 2: tên đơn vị dài 100.000 ký tự, tối đa 200."]
    assert not Unit.objects.filter(code="99004").exists()


def test_a_100000_character_name_in_the_admin_import_is_refused_cleanly(
    client, demo, superuser
):
    client.force_login(superuser)
    upload = SimpleUploadedFile(
        "u.csv", (HEADER + f"99005,{'Tân' * 33_334},xa,705\n").encode()
    )
    response = client.post(reverse("admin:reports_unit_import_csv"), {"file": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert "tên đơn vị dài 100.002 ký tự, tối đa 200" in body
    assert len(body) < 50_000  # the name is not echoed back
    assert not Unit.objects.filter(code="99005").exists()


def test_a_code_holding_the_path_separator_is_refused(demo):
    # "705/25489" would make a path equal to a real commune's subtree.
    with pytest.raises(UnitImportError) as info:
        import_units((HEADER + "705/25489,Xã Giả,xa,72\n").encode())
    assert "mã “705/25489” không hợp lệ" in info.value.errors[0]


def test_control_characters_are_refused(demo):
    with pytest.raises(UnitImportError) as info:
        import_units((HEADER + "99006,Xã\x00Nul,xa,705\n").encode())
    assert info.value.errors == ["Dòng 2: có ký tự điều khiển không hợp lệ."]


def test_a_chain_too_deep_for_the_tree_path_is_refused(demo):
    codes = [f"{i:02d}" + "x" * 18 for i in range(14)]
    lines = [f"{codes[0]},Tỉnh Sâu,tinh,"]
    lines += [f"{c},Huyện {i},huyen,{codes[i]}" for i, c in enumerate(codes[1:])]
    with pytest.raises(UnitImportError) as info:
        import_units((HEADER + "\n".join(lines) + "\n").encode())
    assert "nằm quá sâu" in info.value.errors[0]
    assert not Unit.objects.filter(code=codes[0]).exists()


# Fuzz ---------------------------------------------------------------------

CODES = ["72", "705", "25489", "99100", "99101", "a/b", "", " ", "x" * 21, "705"]
TYPES = [*UnitType.values, "", "tỉnh", "XA"]
cell = st.one_of(
    st.sampled_from(CODES),
    st.sampled_from(TYPES),
    st.text(max_size=30),
    st.text(alphabet="ÂâĐđƠơƯư\u0300\u0301\u200b\ufeff\"',\n\r\x00;", max_size=10),
)
# Rows that are often good, so the fuzz also reaches the writing path.
likely_good = st.tuples(
    st.sampled_from(["99100", "99101", "99102", "705"]),
    st.text(alphabet="Xã Tân Bình\u0300\u200b<>&\"'", min_size=1, max_size=20),
    st.sampled_from(["xa", "phuong", "huyen"]),
    st.sampled_from(["705", "72", "99100", "99101", ""]),
).map(list)
row = st.one_of(st.lists(cell, min_size=0, max_size=6), likely_good)
structured = st.builds(
    lambda rows, header: header + "\n".join(",".join(r) for r in rows),
    st.lists(row, max_size=8),
    st.sampled_from([HEADER, "code,name,type\n", "", "CODE, Name ,TYPE,parent_code\n"]),
)
csv_input = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300),
    structured,
    structured.map(lambda s: s.encode("utf-8")),
    structured.map(lambda s: s.encode("utf-16")),
)


def _units_state():
    return list(
        Unit.objects.order_by("code").values_list(
            "code", "name", "unit_type", "parent_id", "path", "level_id"
        )
    )


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=csv_input)
def test_fuzzed_unit_import_raises_only_import_errors_and_never_half_imports(
    demo, data
):
    with transaction.atomic():
        before = _units_state()
        try:
            result = import_units(data)
        except UnitImportError as exc:
            assert exc.errors and all(isinstance(e, str) for e in exc.errors)
            assert _units_state() == before
        else:
            after = {code for code, *_ in _units_state()}
            assert set(result.created) <= after
            assert len(after) == len(before) + len(result.created)
        transaction.set_rollback(True)
