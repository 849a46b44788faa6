"""Retiring units as of a date, in bulk, with a dry run (issue 13)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports import workflow
from reports.models import ReportTemplate, Unit
from reports.outline import copy_template
from reports.units import RetireRefused, UnitImportError, import_units, retire_units
from tests.factories import create_later_round, create_report, fill_report

pytestmark = pytest.mark.django_db

REFORM = dt.date(2025, 7, 1)


def test_dry_run_lists_every_unit_flags_reports_and_writes_nothing(
    demo, unit, make_user
):
    staff = make_user("705", "staff")
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    workflow.submit_report(report, actor=staff)
    workflow.approve_report(report, actor=make_user("72", "reviewer"))
    result = retire_units(Unit.objects.filter(code="705"), REFORM, dry_run=True)
    codes = [line.unit.code for line in result.lines]
    # The district and every commune below it.
    assert (
        codes[0] == "705"
        and len(codes) == Unit.objects.filter(path__startswith=unit("705").path).count()
    )
    flagged = {line.unit.code: line.reports for line in result.lines if line.reports}
    assert flagged == {"705": 1}
    assert not Unit.objects.filter(valid_to__isnull=False).exists()


def test_retire_sets_valid_to_and_old_rounds_still_see_the_units(demo, unit):
    retire_units(Unit.objects.filter(code="705"), REFORM)
    district = unit("705")
    assert district.valid_to == REFORM
    assert unit("25489").valid_to == REFORM  # a commune of Tân Biên
    assert demo.units().filter(code="705").exists()
    new = create_later_round(demo.campaign)
    assert not new.units().filter(path__startswith=district.path).exists()


def test_a_unit_with_an_open_report_in_a_later_round_is_refused(demo, unit):
    new = create_later_round(demo.campaign)
    commune = ReportTemplate.objects.get(round=demo, code="xa", is_current=True)
    copy_template(commune, round_=new)
    create_report(new, unit("25489"))  # a draft in the new round
    with pytest.raises(RetireRefused) as refused:
        retire_units(Unit.objects.filter(code="705"), REFORM)
    assert "25489" in str(refused.value) and "đang mở" in str(refused.value)
    assert not Unit.objects.filter(valid_to__isnull=False).exists()


def test_admin_bulk_retire_with_dry_run_then_for_real(client, demo, make_user, unit):
    client.force_login(make_user("72", "admin", is_staff=True, is_superuser=True))
    url = reverse("admin:reports_unit_changelist")
    post = {
        "action": "retire_as_of",
        "_selected_action": [unit("705").pk, unit("706").pk],
        "retire_date": "01/07/2025",
        "dry_run": "on",
    }
    body = client.post(url, post, follow=True).content.decode()
    assert "Xem trước" in body and "Tân Biên" in body
    assert not Unit.objects.filter(valid_to__isnull=False).exists()
    del post["dry_run"]
    body = client.post(url, post, follow=True).content.decode()
    assert "Đã ngừng hiệu lực" in body
    assert unit("705").valid_to == REFORM and unit("706").valid_to == REFORM
    post["retire_date"] = "không phải ngày"
    body = client.post(url, post, follow=True).content.decode()
    assert "ngày ngừng hiệu lực" in body


DATED = "code,name,type,parent_code,valid_from,valid_to\n"


def test_csv_may_carry_validity_dates(demo, unit):
    import_units(
        DATED
        + "30001,Phường Tân Ninh,phuong,72,01/07/2025,\n"
        + "25489,Xã Tân Lập,xa,705,,01/07/2025\n"
    )
    assert unit("30001").valid_from == REFORM and unit("30001").valid_to is None
    assert unit("25489").valid_to == REFORM and unit("25489").valid_from is None


def test_csv_validity_errors_are_refused_line_by_line(demo):
    data = (
        DATED
        + "30001,Phường Tân Ninh,phuong,72,32/07/2025,\n"
        + "30002,Xã Tân Biên,xa,72,01/07/2025,30/06/2025\n"
        + "30003,Xã Mới,xa,30004,01/07/2025,\n"
        + "30004,Huyện Mới,huyen,72,01/01/2026,\n"
    )
    with pytest.raises(UnitImportError) as refused:
        import_units(data)
    errors = refused.value.errors
    assert any(e.startswith("Dòng 2:") and "ngày" in e for e in errors)
    assert any(e.startswith("Dòng 3:") and "trước" in e for e in errors)
    assert any(e.startswith("Dòng 4:") and "cấp trên" in e for e in errors)
    assert not Unit.objects.filter(code__startswith="3000").exists()


def test_import_can_retire_the_units_missing_from_the_file(demo, unit):
    # The file of the new hierarchy: the province, its member organisations
    # and one new commune; everything else is retired as of 01/07/2025.
    members = Unit.objects.filter(unit_type="to_chuc")
    lines = ["72,Tỉnh Tây Ninh,tinh,,,"]
    lines += [f"{m.code},{m.name},to_chuc,72,," for m in members]
    lines += ["30001,Phường Tân Ninh,phuong,72,01/07/2025,"]
    data = DATED + "\n".join(lines) + "\n"
    preview = import_units(data, dry_run=True, retire_missing_as_of=REFORM)
    retired = {line.unit.code for line in preview.retired}
    assert "705" in retired and "25489" in retired and "72" not in retired
    assert not Unit.objects.filter(valid_to__isnull=False).exists()
    import_units(data, retire_missing_as_of=REFORM)
    assert unit("705").valid_to == REFORM and unit("72").valid_to is None
    new = create_later_round(demo.campaign)
    assert set(new.units().values_list("code", flat=True)) == {
        "72",
        "30001",
        *members.values_list("code", flat=True),
    }


def test_dry_run_flags_a_move_of_a_unit_that_has_reports(demo, unit, make_user):
    staff = make_user("25489", "staff")
    report = create_report(demo, unit("25489"))
    fill_report(report, staff)
    workflow.submit_report(report, actor=staff)
    preview = import_units(DATED + "25489,Xã Tân Lập,xa,72,,\n", dry_run=True)
    assert preview.moved == ["25489"]
    assert preview.flagged == {"25489": 1}
    assert unit("25489").parent.code == "705"


def test_admin_import_dry_run_lists_moves_and_retirements(
    client, demo, make_user, unit
):
    staff = make_user("25489", "staff")
    report = create_report(demo, unit("25489"))
    fill_report(report, staff)
    workflow.submit_report(report, actor=staff)
    client.force_login(make_user("72", "admin", is_staff=True, is_superuser=True))
    data = (DATED + "72,Tỉnh Tây Ninh,tinh,,,\n25489,Xã Tân Lập,xa,72,,\n").encode()
    response = client.post(
        reverse("admin:reports_unit_import_csv"),
        {
            "file": SimpleUploadedFile("u.csv", data, content_type="text/csv"),
            "dry_run": "on",
            "retire_missing_as_of": "01/07/2025",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "25489: chuyển đơn vị cấp trên — có 1 báo cáo" in body
    assert "705: ngừng hiệu lực" in body
    assert unit("25489").parent.code == "705"
    assert not Unit.objects.filter(valid_to__isnull=False).exists()


REFORM_HEADER = "code,name,type,parent_code,valid_from,valid_to,predecessors\n"


def test_csv_records_predecessors(demo, unit):
    import_units(REFORM_HEADER + "30001,Xã Tân Biên,xa,72,01/07/2025,,25489;25492\n")
    new = unit("30001")
    assert set(new.predecessors.values_list("code", flat=True)) == {
        "25489",
        "25492",
    }
    assert list(unit("25489").successors.all()) == [new]


def test_unknown_predecessor_is_refused(demo):
    with pytest.raises(UnitImportError) as refused:
        import_units(REFORM_HEADER + "30001,Xã Mới,xa,72,01/07/2025,,99999\n")
    assert refused.value.errors[0].startswith("Dòng 2:")
    assert "99999" in refused.value.errors[0]
    assert not Unit.objects.filter(code="30001").exists()
