"""Regression tests of issue 14: hostile or odd input answers clearly, never a 500."""

import io

import openpyxl
import pytest
from django.urls import reverse

from reports.exports import files
from reports.models import ExemplaryModel
from tests.factories import create_report, fill_report
from tests.test_exports import approved

pytestmark = pytest.mark.django_db

SOFT_BREAK = "Dòng một\vDòng hai"  # Word's soft line break (Shift+Enter)


@pytest.fixture
def district(demo, unit, make_user):
    staff = make_user("705", "staff")
    reviewer = make_user("72", "reviewer")
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    # Stored before the fix: no form cleaned it.
    ExemplaryModel.objects.filter(report=report).update(
        name=SOFT_BREAK, unit_in_charge=SOFT_BREAK, results=SOFT_BREAK + "\x1b"
    )
    report.refresh_from_db()
    report, _ = approved(demo, unit("705"), staff, reviewer)
    return report, staff, reviewer


def _sheet_text(content):
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(v) for ws in wb.worksheets for row in ws.values for v in row if v
    )


def test_a_soft_line_break_in_a_model_does_not_break_any_excel_export(
    client, district, unit
):
    report, staff, reviewer = district
    content, _ = files.version_export(report.approved_version, "xlsx")
    assert "Dòng một\nDòng hai" in _sheet_text(content)
    client.force_login(staff)
    response = client.get(reverse("export_xlsx", args=[report.pk]) + "?ban-nhap=1")
    assert response.status_code == 200
    assert "Dòng một\nDòng hai" in _sheet_text(b"".join(response.streaming_content))
    client.force_login(reviewer)
    for code in ["705", "72"]:
        response = client.get(
            reverse("export_consolidated_xlsx", args=[unit(code).pk])
        )
        assert response.status_code == 200, code


def test_a_soft_line_break_in_a_model_does_not_break_the_pdf(district):
    report, _, _ = district
    content, _ = files.version_export(report.approved_version, "pdf")
    assert content.startswith(b"%PDF")
