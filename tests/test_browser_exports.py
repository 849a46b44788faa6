import io
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import expect

from reports.exports import roundtrip, xlsx
from reports.models import Cell
from tests.conftest import PASSWORD, login, screenshot
from tests.factories import create_report, fill_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_fills_the_excel_offline_previews_and_confirms(
    browser_page, demo, unit, make_user, tmp_path
):
    staff = make_user("705", "staff", username="canbo.tanbien")
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    wb = openpyxl.load_workbook(io.BytesIO(roundtrip.build_template(report)[0]))
    wb["Biểu 1.2"][f"F{xlsx.HEADER_TOP + 2}"] = "8,5"
    path = tmp_path / "bieu-tan-bien.xlsx"
    wb.save(path)

    page = browser_page
    login(page, "canbo.tanbien", PASSWORD)
    page.goto(page.base_url + f"/bao-cao/{report.pk}/nhap-excel/")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_text("Biểu 1.2!F7")).to_be_visible()
    screenshot(page, "xlsx-import-preview")
    money = Cell.objects.get(report=report, column__code="tien").num
    assert money != Decimal("8.5"), "nothing is saved before confirming"
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_text("Đã lưu 1 ô số liệu")).to_be_visible()
    assert Cell.objects.get(report=report, column__code="tien").num == Decimal("8.5")

    page.goto(page.base_url + f"/bao-cao/{report.pk}/ban-in/")
    expect(page.get_by_text("BẢN NHÁP – không có giá trị chính thức")).to_be_visible()
    screenshot(page, "print-preview-draft")
