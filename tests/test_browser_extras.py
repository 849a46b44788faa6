import pytest

from reports.models import Attachment, AttachmentKind, ExemplaryModel
from tests import files
from tests.conftest import login, screenshot
from tests.factories import create_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_staff_uploads_the_signed_scan_and_adds_a_model(
    browser_page, demo, unit, make_user
):
    make_user("705", "staff", username="canbo.tanbien")
    report = create_report(demo, unit("705"))
    page = browser_page
    login(page, "canbo.tanbien")

    page.goto(f"{page.base_url}/bao-cao/{report.pk}/tep/")
    # A disguised file is refused next to the field.
    page.check("input[name=kind][value=signed_scan]")
    page.set_input_files(
        "input[name=file]",
        {"name": "ban-ky.pdf", "mimeType": "application/pdf", "buffer": files.png()},
    )
    page.click("#upload-form button[type=submit]")
    feedback = page.locator("#upload-form .invalid-feedback")
    assert "nội dung là ảnh PNG" in feedback.inner_text()
    assert page.is_checked("input[name=kind][value=signed_scan]")
    screenshot(page, "extras-upload-refused")

    page.set_input_files(
        "input[name=file]",
        {
            "name": "Báo cáo sơ kết Tân Biên (bản ký).pdf",
            "mimeType": "application/pdf",
            "buffer": files.pdf(),
        },
    )
    page.click("#upload-form button[type=submit]")
    row = page.locator(".attachment-table tbody tr").first
    assert "Báo cáo sơ kết Tân Biên (bản ký).pdf" in row.inner_text()
    assert "Bản ký, đóng dấu (PDF)" in row.inner_text()
    screenshot(page, "extras-attachments-district-staff")

    page.click(".report-extras-nav >> text=Mô hình điển hình")
    assert page.get_by_text("Báo cáo cần ít nhất 1 mô hình").is_visible()
    page.fill("input[name=name]", "Tổ hợp tác trồng mì công nghệ cao")
    page.select_option("select[name=content_area]", "II.1.1")
    page.fill("input[name=unit_in_charge]", "Hội Nông dân xã Thạnh Bắc")
    page.fill("input[name=year_started]", "2018")
    page.fill("textarea[name=description]", "Liên kết 30 hộ trồng mì theo VietGAP.")
    page.fill("textarea[name=results]", "Thu nhập tăng 25%; 12 hộ thoát nghèo.")
    page.click("#model-form button[type=submit]")
    item = page.locator(".model-list .list-group-item").first
    assert "Tổ hợp tác trồng mì công nghệ cao" in item.inner_text()
    assert "Hội Nông dân xã Thạnh Bắc" in item.inner_text()
    summary = page.locator(".models-summary")
    assert "Tổ hợp tác trồng mì công nghệ cao" in summary.inner_text()
    assert not page.get_by_text("Báo cáo cần ít nhất 1 mô hình").is_visible()
    screenshot(page, "extras-models-district-staff")

    assert Attachment.objects.get(report=report).kind == AttachmentKind.SIGNED_SCAN
    assert ExemplaryModel.objects.get(report=report).year_started == 2018
