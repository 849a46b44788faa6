"""The quality flags in the editor's JSON and on the submit page, explanations."""

import pytest
from django.urls import reverse

from reports.models import Explanation, ReportStatus
from tests.factories import create_report, fill_report
from tests.quality_helpers import set_cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(demo, unit, make_user, client):
    staff = make_user("705", "staff")
    report = fill_report(create_report(demo, unit("705")), staff)
    client.force_login(staff)
    return report


def test_editor_json_lists_flags_with_their_cells(client, draft):
    set_cell(draft, "xa-ntm-nc", 99)
    url = reverse("report_quality", args=[draft.pk])
    flags = {f["key"]: f for f in client.get(url).json()["flags"]}
    flag = flags["rule:1.2:ntm-nang-cao"]
    assert flag["blocking"] is True
    assert flag["cells"] == ["cell-1.2-xa-ntm-nc", "cell-1.2-xa-ntm"]
    assert "nâng cao" in flag["message"]


def test_submit_page_asks_for_explanations_and_keeps_them_with_the_version(
    client, draft
):
    key = "rule:1.4:ty-le-ho-thap"
    set_cell(draft, "ho-dat", 10)  # 10 % of households
    url = reverse("report_submit", args=[draft.pk])
    page = client.get(url).content.decode()
    assert f'name="giai-thich:{key}"' in page
    response = client.post(
        url,
        {"expected_status": "draft", f"giai-thich:{key}": "Xã mới sáp nhập"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ReportStatus.SUBMITTED
    flag = draft.versions.get().quality_flags.get(key=key)
    assert flag.explanation == "Xã mới sáp nhập"


def test_a_blocking_rule_is_listed_on_the_submit_page_with_a_link_to_the_cell(
    client, draft
):
    set_cell(draft, "kien-nghi-gq", 129)
    set_cell(draft, "kien-nghi-tong", 125)
    url = reverse("report_submit", args=[draft.pk])
    page = client.get(url).content.decode()
    edit = reverse("report_edit", args=[draft.pk])
    assert f'href="{edit}#cell-1.5-kien-nghi-gq"' in page
    assert "tỷ lệ giải quyết vượt 100%" in page
    client.post(url, {"expected_status": "draft"})
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT


def test_explaining_saves_only_current_warnings(client, draft):
    set_cell(draft, "ho-dat", 10)
    url = reverse("report_quality", args=[draft.pk])
    json = {"HTTP_ACCEPT": "application/json"}
    ok = client.post(url, {"giai-thich:rule:1.4:ty-le-ho-thap": " Đúng "}, **json)
    assert ok.status_code == 200
    assert Explanation.objects.get(report=draft).text == "Đúng"
    bad = client.post(url, {"giai-thich:rule:1.2:khong-co": "x"}, **json)
    assert bad.status_code == 400
    assert "Không có cảnh báo này" in bad.json()["message"]
    # Typed text is cleaned: one line, NFC, no NUL or invisible characters.
    typed = "Xa\u0303 mới\x00 sáp\u200b nhập\n\ttháng 1/2020 " + "x" * 400
    client.post(url, {"giai-thich:rule:1.4:ty-le-ho-thap": typed}, **json)
    text = Explanation.objects.get(report=draft).text
    assert text.startswith("Xã mới sáp nhập tháng 1/2020 xxx") and len(text) == 300
    # An empty explanation takes it back.
    client.post(url, {"giai-thich:rule:1.4:ty-le-ho-thap": ""}, **json)
    assert not Explanation.objects.filter(report=draft).exists()


def test_another_units_staff_get_404(client, demo, unit, make_user, draft):
    client.force_login(make_user("703", "staff"))
    url = reverse("report_quality", args=[draft.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"giai-thich:x": "y"}).status_code == 404
