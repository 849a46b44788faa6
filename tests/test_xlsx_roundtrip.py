import io
import json
import unicodedata
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from reports.exports import roundtrip, xlsx
from reports.models import Cell, TableColumn
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db

# Biểu 1.2 has a two-row header: the unit's row is row 7; C = xã NTM (integer),
# F = tiền (money).
ROW = xlsx.HEADER_TOP + 2


@pytest.fixture
def draft(demo, unit, make_user):
    staff = make_user("705", "staff")
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    return report, staff


def snapshot(report):
    return sorted(
        Cell.objects.filter(report=report).values_list(
            "column_id", "num", "flag", "text", "docs"
        )
    )


def workbook(report):
    content, _ = roundtrip.build_template(report)
    return openpyxl.load_workbook(io.BytesIO(content))


def to_bytes(wb):
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def column(code):
    return TableColumn.objects.get(table__template__code="huyen", code=code)


def test_template_is_protected_with_hidden_codes_and_metadata(draft):
    report, _ = draft
    wb = workbook(report)
    ws = wb["Biểu 1.2"]
    assert ws.protection.sheet
    assert ws.row_dimensions[xlsx.CODES_ROW].hidden
    assert ws.cell(row=xlsx.CODES_ROW, column=3).value == "xa-ntm"
    assert ws.cell(row=ROW, column=3).protection.locked is False
    assert ws.cell(row=xlsx.HEADER_TOP, column=3).protection.locked is True
    meta = wb[xlsx.META_SHEET]
    assert meta.sheet_state == "veryHidden"
    values = dict(meta.iter_rows(values_only=True))
    assert values["unit"] == "705" and values["round"] == "so-ket-2016-2020"
    assert "Biểu 2" not in wb.sheetnames  # derived from models, not entered


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8,5", Decimal("8.5")),
        ("8.5", Decimal("8.5")),
        ("1.234.567", Decimal("1234567")),
        ("1.234,5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
        (" 12 ", Decimal("12")),
        (3, Decimal("3")),
    ],
)
def test_numbers_are_read_with_either_decimal_mark(raw, expected):
    assert roundtrip.parse_number(raw) == expected


def test_an_ambiguous_number_is_refused_as_in_the_editor():
    # "1.234" may be a thousand or a fraction: the editor refuses it, so does Excel.
    with pytest.raises(ValueError, match="chưa rõ nghĩa"):
        roundtrip.parse_number("1.234")
    # Plain text is refused too; the caller words it with the sheet and cell.
    with pytest.raises(ValueError):
        roundtrip.parse_number("mười")


def test_good_file_previews_then_saves_only_on_confirm(client, draft):
    report, staff = draft
    wb = workbook(report)
    wb["Biểu 1.2"][f"C{ROW}"] = "25"
    wb["Biểu 1.2"][f"F{ROW}"] = "8,5"
    wb["Biểu 1.1"][f"G{xlsx.HEADER_TOP + 3}"] = "Không"
    before = snapshot(report)
    client.force_login(staff)
    url = reverse("xlsx_import", args=[report.pk])
    upload = io.BytesIO(to_bytes(wb))
    upload.name = "bieu.xlsx"
    page = client.post(url, {"file": upload})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Biểu 1.2!C7" in html and "Biểu 1.2!F7" in html
    # New and old money values, each with the decimals it was entered with.
    assert (
        '<td class="text-secondary pre-line">16</td><td class="pre-line">8,5</td>'
        in (html)
    )
    assert snapshot(report) == before, "nothing is saved before confirming"
    token = page.context["token"]
    response = client.post(url, {"token": token}, follow=True)
    assert "Đã lưu 3 ô" in response.content.decode()
    assert Cell.objects.get(report=report, column=column("tien")).num == Decimal("8.5")
    assert Cell.objects.get(report=report, column=column("xa-ntm")).num == 25
    assert Cell.objects.get(report=report, column=column("phat-dong-cap")).flag is False
    # The token is single use.
    again = client.post(url, {"token": token}, follow=True)
    assert "hết hạn" in again.content.decode()


def test_unchanged_template_has_no_changes(draft):
    report, _ = draft
    parsed = roundtrip.parse_upload(report, roundtrip.build_template(report)[0])
    assert parsed.errors == [] and parsed.changes == []


def _other_unit_template(demo, unit, make_user):
    other = create_report(demo, unit("707"))
    fill_report(other, make_user("707", "staff"))
    return roundtrip.build_template(other)[0]


def _plain_workbook():
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Số liệu"
    return to_bytes(wb)


def _zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    return buffer.getvalue()


def _edited(report, change):
    wb = workbook(report)
    change(wb)
    return to_bytes(wb)


def _other_round(wb):
    wb[xlsx.META_SHEET]["B2"] = "so-ket-2021-2025"


def _header(wb):
    wb["Biểu 1.2"][f"C{xlsx.HEADER_TOP + 1}"] = "Cột tự đặt"


def _moved_column(wb):
    wb["Biểu 1.2"][f"C{xlsx.CODES_ROW}"] = "ngay-cong"


def _tampered_checksum(wb):
    wb[xlsx.META_SHEET]["B5"] = "0" * 64


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda report, ctx: _plain_workbook(), "không phải mẫu biểu"),
        (lambda report, ctx: b"PK\x03\x04 not really a zip", "không phải tệp Excel"),
        (lambda report, ctx: b"%PDF-1.4 hello", "không phải tệp Excel"),
        (lambda report, ctx: _zip_bomb(), "bất thường"),
        (lambda report, ctx: _other_unit_template(*ctx), "đơn vị khác"),
        (lambda report, ctx: _edited(report, _other_round), "đợt báo cáo khác"),
        (lambda report, ctx: _edited(report, _header), "tiêu đề cột đã bị sửa"),
        (lambda report, ctx: _edited(report, _moved_column), "các cột đã bị thay đổi"),
        (lambda report, ctx: _edited(report, _tampered_checksum), "bị sửa"),
    ],
)
def test_bad_files_are_refused_and_nothing_changes(
    draft, demo, unit, make_user, make, message
):
    report, _ = draft
    before = snapshot(report)
    content = make(report, (demo, unit, make_user))
    with pytest.raises(roundtrip.ImportRejected, match=message):
        roundtrip.parse_upload(report, content)
    assert snapshot(report) == before


def test_formula_and_text_in_number_cells_are_named_by_sheet_and_cell(draft):
    report, _ = draft

    def change(wb):
        wb["Biểu 1.2"][f"C{ROW}"] = "=1+2"
        wb["Biểu 1.2"][f"D{ROW}"] = "mười"
        wb["Biểu 1.2"][f"E{ROW}"] = "2,5"  # integer column
        wb["Biểu 1.1"][f"G{xlsx.HEADER_TOP + 3}"] = "Có lẽ"

    parsed = roundtrip.parse_upload(report, _edited(report, change))
    assert parsed.errors == [
        "Biểu 1.1!G8: Chọn “Có” hoặc “Không”.",
        "Biểu 1.2!C7: không được dùng công thức, hãy nhập giá trị.",
        "Biểu 1.2!D7: “mười” không phải là số.",
        "Biểu 1.2!E7: Cột này chỉ nhận số nguyên (không có phần lẻ).",
    ]


def test_oversized_upload_is_refused_with_a_message_next_to_the_field(
    client, draft, settings
):
    report, staff = draft
    settings.XLSX_IMPORT_MAX_BYTES = 1024
    before = snapshot(report)
    client.force_login(staff)
    upload = io.BytesIO(roundtrip.build_template(report)[0])
    upload.name = "bieu.xlsx"
    page = client.post(reverse("xlsx_import", args=[report.pk]), {"file": upload})
    assert "Tệp quá lớn" in page.content.decode()
    assert snapshot(report) == before


def test_stale_preview_is_refused_on_confirm(draft):
    report, staff = draft

    def change(wb):
        wb["Biểu 1.2"][f"C{ROW}"] = 99

    parsed = roundtrip.parse_upload(report, _edited(report, change))
    pending = roundtrip.to_pending(parsed, report)
    report.revision += 1
    report.save(update_fields=["revision"])
    with pytest.raises(roundtrip.ImportRejected, match="đã được sửa"):
        roundtrip.apply_pending(report, pending, actor=staff)


def test_import_page_is_for_the_units_staff_only(client, draft, make_user):
    report, _ = draft
    client.force_login(make_user("707", "staff"))
    assert client.get(reverse("xlsx_import", args=[report.pk])).status_code == 404
    assert client.get(reverse("xlsx_template", args=[report.pk])).status_code == 404
    client.force_login(make_user("72", "reviewer"))
    assert client.get(reverse("xlsx_import", args=[report.pk])).status_code == 404


def test_staff_downloads_the_template(client, draft):
    report, staff = draft
    client.force_login(staff)
    response = client.get(reverse("xlsx_template", args=[report.pk]))
    assert response.status_code == 200
    assert "mau-nhap-705" in response["Content-Disposition"]


# --- the import writes through the editor's writer -------------------------------


def _confirm(report, change):
    staff = report.unit.memberships.first().user
    parsed = roundtrip.parse_upload(report, _edited(report, change))
    assert parsed.errors == []
    pending = roundtrip.to_pending(parsed, report)
    roundtrip.apply_pending(report, pending, actor=staff)
    return parsed


def _autosave(client, report, part, base, **fields):
    return client.post(
        reverse("report_autosave", args=[report.pk]),
        data=json.dumps({"part": part, "base_revision": base, "fields": fields}),
        content_type="application/json",
    )


def test_an_edit_of_the_second_decimal_is_imported(draft):
    report, _ = draft
    Cell.objects.filter(report=report, column=column("tien")).update(
        num=Decimal("8.51")
    )

    def change(wb):
        wb["Biểu 1.2"][f"F{ROW}"] = "8,52"

    parsed = _confirm(report, change)
    assert [c.cell for c in parsed.changes] == ["Biểu 1.2!F7"]
    assert Cell.objects.get(report=report, column=column("tien")).num == Decimal("8.52")


def test_an_editor_tab_opened_before_an_import_gets_the_conflict_view(client, draft):
    report, staff = draft
    client.force_login(staff)
    page = client.get(reverse("report_edit", args=[report.pk]))
    opened = next(t for t in page.context["sheet"].tables if t.code == "1.2").revision

    def change(wb):
        wb["Biểu 1.2"][f"F{ROW}"] = "9,75"

    _confirm(report, change)
    stale = _autosave(client, report, "table:1.2", opened, **{"c.tien": "16"})
    assert stale.status_code == 409
    assert stale.json()["server"]["c.tien"] == "9,75"
    assert Cell.objects.get(report=report, column=column("tien")).num == Decimal("9.75")


def test_an_import_recomputes_percentages_and_cleans_text(draft):
    report, _ = draft
    # Biểu 1.4: C = tổng số hộ, D = số hộ đạt, E = tỷ lệ (computed).
    row = xlsx.HEADER_TOP + 2

    def change(wb):
        wb["Biểu 1.4"][f"C{row}"] = 400
        wb["Biểu 1.4"][f"D{row}"] = 100
        # Biểu 1.1, C: documents, pasted decomposed (NFD) with a zero-width space.
        wb["Biểu 1.1"][f"C{xlsx.HEADER_TOP + 3}"] = unicodedata.normalize(
            "NFD", "Kế hoạch số 12/KH ngày 15/03/2017: Tri\u200bển khai"
        )

    _confirm(report, change)
    assert Cell.objects.get(report=report, column=column("ty-le-ho")).num == 25
    (doc,) = Cell.objects.get(report=report, column=column("vb-ct10")).docs
    assert doc == {
        "kind": "Kế hoạch",
        "number": "12/KH",
        "date": "2017-03-15",
        "summary": "Triển khai",
    }


def hostile_workbook(report, cells=1_500_000):
    """The real template with ``cells`` tiny cells added to its first sheet: a
    small file that passes every zip check (size, entries, ratio)."""
    import random

    content, _ = roundtrip.build_template(report)
    rand = random.Random(14)
    per_row = 500
    rows = "".join(
        "<row>"
        + "".join(f"<c><v>{rand.randrange(10)}</v></c>" for _ in range(per_row))
        + "</row>"
        for _ in range(cells // per_row)
    ).encode()
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", rows + b"</sheetData>")
            archive.writestr(info.filename, data)
    return buffer.getvalue()


def test_a_small_file_with_millions_of_cells_is_refused_before_it_is_built(draft):
    import time
    import tracemalloc

    report, _ = draft
    content = hostile_workbook(report)
    assert len(content) < 2 * 1024 * 1024
    roundtrip._check_zip(content)  # it passes every zip check
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(roundtrip.ImportRejected, match="quá nhiều ô"):
            roundtrip.parse_upload(report, content)
        elapsed = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # bench/ measures the target (1 s, 50 MB); here a margin for a busy machine.
    assert elapsed < 5 and peak < 50 * 1024 * 1024, (elapsed, peak)


def test_a_file_without_the_identity_sheet_is_refused_before_it_is_built(
    draft, monkeypatch
):
    report, _ = draft
    wb = openpyxl.Workbook()
    wb.active.append(["Biểu 1.2"])
    monkeypatch.setattr(
        roundtrip, "_load", lambda content: pytest.fail("the workbook was built")
    )
    with pytest.raises(roundtrip.ImportRejected, match="không phải mẫu biểu"):
        roundtrip.parse_upload(report, to_bytes(wb))
