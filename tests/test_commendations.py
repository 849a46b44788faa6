import pytest
from django.urls import reverse

from reports import workflow
from reports.models import Commendation, CommendationKind
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db

DEFAULT_AWARD = "Bằng khen của Ủy ban MTTQ Việt Nam tỉnh"


@pytest.fixture
def district(demo, unit, make_user):
    """Tân Biên's report, its staff, and a provincial reviewer."""
    report = create_report(demo, unit("705"))
    return report, make_user("705", "staff"), make_user("72", "reviewer")


def list_url(report):
    return reverse("commendation_list", args=[report.pk])


def individual(**overrides):
    data = {
        "kind": "individual",
        "name": "Nguyễn Thị Hoa",
        "position": "Trưởng ban công tác Mặt trận",
        "unit_name": "Ấp Thạnh Hiệp, xã Thạnh Bắc",
        "achievements": "Vận động xây 5 căn nhà Đại đoàn kết.",
        "award": DEFAULT_AWARD,
    }
    data.update(overrides)
    return data


def add(report, **fields):
    values = {
        "kind": CommendationKind.COLLECTIVE,
        "name": "Ban công tác Mặt trận ấp Tân Hòa",
        "achievements": "Khu dân cư văn hóa 5 năm liền.",
    }
    values.update(fields)
    return Commendation.objects.create(report=report, **values)


def test_add_form_offers_the_usual_awards_and_the_provincial_bang_khen_first(
    client, district
):
    report, staff, _ = district
    client.force_login(staff)
    body = client.get(list_url(report)).content.decode()
    assert f'value="{DEFAULT_AWARD}"' in body
    assert 'list="usual-awards"' in body and '<datalist id="usual-awards">' in body
    assert "Giấy khen của Ủy ban MTTQ Việt Nam huyện" in body


def test_staff_proposes_an_individual_and_sees_it_listed(client, district):
    report, staff, _ = district
    client.force_login(staff)
    response = client.post(list_url(report), individual(), follow=True)
    proposal = Commendation.objects.get()
    assert proposal.report == report and proposal.kind == CommendationKind.INDIVIDUAL
    assert proposal.award == DEFAULT_AWARD
    body = response.content.decode()
    assert "Đã thêm đề xuất khen thưởng." in body
    assert "Nguyễn Thị Hoa" in body and "Ấp Thạnh Hiệp, xã Thạnh Bắc" in body


def test_a_collective_needs_no_position_or_unit(client, district):
    report, staff, _ = district
    client.force_login(staff)
    data = individual(kind="collective", name="Hội Nông dân xã", position="")
    data["unit_name"] = ""
    assert client.post(list_url(report), data).status_code == 302
    assert Commendation.objects.get().kind == CommendationKind.COLLECTIVE


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"position": ""}, "position", "Hãy nhập chức vụ"),
        ({"unit_name": " "}, "unit_name", "Hãy nhập đơn vị công tác"),
        ({"kind": ""}, "kind", "Hãy chọn tập thể hoặc cá nhân"),
        ({"kind": "family"}, "kind", "Hãy chọn tập thể hoặc cá nhân"),
        ({"name": "N" * 301}, "name", "tối đa 300"),
        ({"achievements": ""}, "achievements", "bắt buộc"),
        ({"achievements": "a" * 20_001}, "achievements", "tối đa 20000"),
        ({"award": "B" * 301}, "award", "tối đa 300"),
    ],
)
def test_bad_proposal_input_is_refused_next_to_its_field_and_the_rest_kept(
    client, district, overrides, field, message
):
    report, staff, _ = district
    client.force_login(staff)
    response = client.post(list_url(report), individual(**overrides))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors, errors
    body = response.content.decode()
    assert "invalid-feedback" in body
    # Every other field keeps what was typed.
    for name in ("name", "position", "unit_name", "achievements"):
        if name not in overrides:
            assert individual()[name] in body, name
    assert not Commendation.objects.exists()


def test_script_in_a_proposal_is_shown_as_text(client, district):
    report, staff, _ = district
    add(
        report, name='<img src=x onerror="alert(1)">', achievements="<script>x</script>"
    )
    client.force_login(staff)
    body = client.get(list_url(report)).content.decode()
    assert "<img src=x" not in body and "<script>x</script>" not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body


def test_staff_edits_and_deletes_a_proposal(client, district):
    report, staff, _ = district
    proposal = add(report)
    client.force_login(staff)
    url = reverse("commendation_edit", args=[proposal.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, individual(name="Trần Văn Bình"))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.name == "Trần Văn Bình"
    assert proposal.kind == CommendationKind.INDIVIDUAL
    delete = reverse("commendation_delete", args=[proposal.pk])
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302
    assert not Commendation.objects.exists()


def test_edit_keeps_what_was_typed_when_refused(client, district):
    report, staff, _ = district
    proposal = add(report)
    client.force_login(staff)
    url = reverse("commendation_edit", args=[proposal.pk])
    response = client.post(url, individual(position="", name="Tên mới gõ vào"))
    body = response.content.decode()
    assert "Hãy nhập chức vụ" in body and "Tên mới gõ vào" in body
    proposal.refresh_from_db()
    assert proposal.name == "Ban công tác Mặt trận ấp Tân Hòa"


def test_reviewer_sees_the_proposals_but_cannot_change_them(client, district):
    report, _, reviewer = district
    proposal = add(report)
    client.force_login(reviewer)
    response = client.get(list_url(report))
    assert response.status_code == 200
    body = response.content.decode()
    assert proposal.name in body and 'id="commendation-form"' not in body
    assert client.post(list_url(report), individual()).status_code == 404
    edit = reverse("commendation_edit", args=[proposal.pk])
    assert client.get(edit).status_code == 404
    delete = reverse("commendation_delete", args=[proposal.pk])
    assert client.post(delete).status_code == 404
    assert Commendation.objects.count() == 1


def test_another_units_proposals_answer_404(client, district, demo, unit, make_user):
    report, _, _ = district
    proposal = add(report)
    other = create_report(demo, unit("706"))
    client.force_login(make_user("706", "staff"))
    assert client.get(list_url(report)).status_code == 404
    assert client.post(list_url(report), individual()).status_code == 404
    edit = reverse("commendation_edit", args=[proposal.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, individual()).status_code == 404
    delete = reverse("commendation_delete", args=[proposal.pk])
    assert client.post(delete).status_code == 404
    assert client.get(list_url(other)).status_code == 200
    assert list(Commendation.objects.all()) == [proposal]


def test_proposals_of_a_submitted_report_cannot_change(client, district):
    report, staff, _ = district
    fill_report(report, staff)
    proposal = add(report)
    workflow.submit_report(report, actor=staff)
    client.force_login(staff)
    response = client.post(list_url(report), individual(), follow=True)
    assert "không thể thay đổi" in response.content.decode()
    client.post(reverse("commendation_delete", args=[proposal.pk]))
    assert list(report.commendations.all()) == [proposal]


def test_anonymous_is_sent_to_login(client, district):
    report, _, _ = district
    response = client.get(list_url(report))
    assert response.status_code == 302 and "/dang-nhap/" in response.url


def test_commendation_list_query_count_does_not_grow_with_proposals(
    client, district, django_assert_max_num_queries
):
    report, staff, _ = district
    for i in range(20):
        add(report, name=f"Đề xuất số {i}")
    client.force_login(staff)
    with django_assert_max_num_queries(5):
        response = client.get(list_url(report))
    assert response.content.decode().count("Đề xuất số ") == 20
