import hashlib

import pytest
from django.urls import reverse

from reports import workflow
from reports.exports import files
from reports.models import SealedCopy
from tests.factories import create_report, fill_report
from tests.test_exports import approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(demo, unit, make_user):
    staff = make_user("705", "staff")
    reviewer = make_user("72", "reviewer")
    report, version = approved(demo, unit("705"), staff, reviewer)
    return report, staff, reviewer


def login(client, user):
    client.force_login(user)


def test_reviewer_downloads_a_districts_pdf_and_excel(client, district):
    report, _, reviewer = district
    login(client, reviewer)
    response = client.get(reverse("export_pdf", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "bao-cao-705" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    response = client.get(reverse("export_xlsx", args=[report.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_version_exports_are_cached_on_disk_and_served_again(district, settings):
    report, _, _ = district
    version = report.approved_version
    # A file cached by an older print layout is not served again.
    old = settings.MEDIA_ROOT / "exports" / "versions" / f"{version.pk}.xlsx"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(b"old layout")
    first, _ = files.version_export(version, "xlsx")
    assert first != b"old layout"
    path = (
        settings.MEDIA_ROOT
        / "exports"
        / "versions"
        / f"{version.pk}-layout{files.PRINT_LAYOUT}.xlsx"
    )
    assert path.read_bytes() == first
    path.write_bytes(b"cached")
    assert files.version_export(version, "xlsx")[0] == b"cached"


def test_another_districts_staff_gets_404_for_exports(client, district, make_user):
    report, _, _ = district
    login(client, make_user("707", "staff"))
    for name in ["export_pdf", "export_xlsx", "report_print_preview"]:
        assert client.get(reverse(name, args=[report.pk])).status_code == 404
    assert client.get(
        reverse("sealed_copy_download", args=[report.pk])
    ).status_code == (404)


def test_anonymous_is_sent_to_login(client, district):
    report, _, _ = district
    response = client.get(reverse("export_pdf", args=[report.pk]))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_staff_previews_their_draft_marked_as_draft(client, demo, unit, make_user):
    staff = make_user("705", "staff")
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    login(client, staff)
    response = client.get(reverse("export_pdf", args=[report.pk]))
    assert response.status_code == 200
    assert "ban-nhap-705" in response["Content-Disposition"]
    page = client.get(reverse("report_print_preview", args=[report.pk]))
    assert page.status_code == 200
    assert "BẢN NHÁP" in page.content.decode()


def test_reviewer_cannot_download_a_draft_that_was_never_submitted(
    client, demo, unit, make_user
):
    report = create_report(demo, unit("705"))
    login(client, make_user("72", "reviewer"))
    assert client.get(reverse("export_pdf", args=[report.pk])).status_code == 404


def test_print_preview_shows_the_official_header(client, district):
    report, staff, _ = district
    login(client, staff)
    page = client.get(reverse("report_print_preview", args=[report.pk]))
    html = page.content.decode()
    assert "HUYỆN TÂN BIÊN" in html and "Biểu 1.2" in html and "16,0" in html


def test_province_reviewer_downloads_the_consolidation(client, district, unit):
    _, _, reviewer = district
    login(client, reviewer)
    province = unit("72")
    for name in ["export_consolidated_xlsx", "export_consolidated_pdf"]:
        response = client.get(reverse(name, args=[province.pk]))
        assert response.status_code == 200, name
        assert "tong-hop-72" in response["Content-Disposition"]


def test_staff_download_only_their_own_units_consolidation(client, district, unit):
    # Whoever reads a consolidation may download it: staff their own unit's,
    # from which they write its report (the provincial drafter, a district).
    _, staff, _ = district
    login(client, staff)
    response = client.get(reverse("export_consolidated_pdf", args=[unit("705").pk]))
    assert response.status_code == 200
    for code in ["72", "707"]:
        response = client.get(reverse("export_consolidated_pdf", args=[unit(code).pk]))
        assert response.status_code == 404, code


def test_oversized_consolidated_pdf_is_refused_with_a_message(
    client, district, unit, settings
):
    _, _, reviewer = district
    settings.EXPORT_PDF_MAX_ROWS = 3
    login(client, reviewer)
    province = unit("72")
    response = client.get(
        reverse("export_consolidated_pdf", args=[province.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("unit_detail", args=[province.pk])
    assert "quá lớn" in response.content.decode()


def test_blank_form_is_open_to_any_logged_in_user(client, demo, make_user):
    login(client, make_user("25489", "staff"))
    response = client.get(reverse("export_blank_form"))
    assert response.status_code == 200
    assert "mau-bao-cao-xa" in response["Content-Disposition"]
    response = client.get(reverse("export_blank_form") + "?mau=huyen&dinh-dang=xlsx")
    assert "mau-bao-cao-huyen" in response["Content-Disposition"]
    client.logout()
    assert client.get(reverse("export_blank_form")).status_code == 302


def test_approval_seals_the_pdf_and_the_copy_never_changes(
    demo, unit, make_user, settings, django_capture_on_commit_callbacks
):
    staff = make_user("705", "staff")
    reviewer = make_user("72", "reviewer")
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    version = workflow.submit_report(report, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve_report(report, actor=reviewer)
    copy = SealedCopy.objects.get(version=version)
    stored = copy.file.read()
    copy.file.close()
    assert stored.startswith(b"%PDF")
    assert hashlib.sha256(stored).hexdigest() == copy.sha256
    # What prints differently today must not touch what was approved.
    settings.PRINT_HEADER_RIGHT = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    again = files.seal_version(version)
    assert again.pk == copy.pk and again.sha256 == copy.sha256
    with again.file.open("rb") as handle:
        assert handle.read() == stored


def test_sealed_copy_download_carries_its_hash(client, district):
    report, staff, _ = district
    login(client, staff)
    response = client.get(reverse("sealed_copy_download", args=[report.pk]))
    content = b"".join(response.streaming_content)
    copy = SealedCopy.objects.get(version=report.approved_version)
    assert response["X-Content-SHA256"] == copy.sha256
    assert hashlib.sha256(content).hexdigest() == copy.sha256


def test_unit_page_shows_consolidated_buttons_to_reviewers_only(
    client, district, unit, make_user
):
    _, staff, reviewer = district
    province = unit("72")
    login(client, reviewer)
    page = client.get(reverse("unit_detail", args=[province.pk])).content.decode()
    assert reverse("export_consolidated_pdf", args=[province.pk]) in page
    login(client, make_user("72", "staff"))
    page = client.get(reverse("unit_detail", args=[province.pk])).content.decode()
    assert reverse("export_consolidated_pdf", args=[province.pk]) not in page


def test_report_page_includes_show_downloads_and_the_sealed_hash(district):
    from django.template.loader import render_to_string

    report, _, _ = district
    html = render_to_string("includes/sealed_copy.html", {"report": report})
    assert "Bản lưu được tạo khi tải lần đầu" in html
    copy = files.seal_version(report.approved_version)
    report.approved_version.refresh_from_db()
    html = render_to_string("includes/sealed_copy.html", {"report": report})
    assert copy.sha256 in html
    assert reverse("sealed_copy_download", args=[report.pk]) in html
    buttons = render_to_string(
        "includes/export_buttons.html", {"report": report, "can_edit": False}
    )
    assert reverse("export_pdf", args=[report.pk]) in buttons
    assert reverse("xlsx_import", args=[report.pk]) not in buttons
